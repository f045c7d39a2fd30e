import NightjarCore

/// The modal for a traffic change or a confirmation, centred over the view.
enum DialogView {
    static func render(_ dialog: Dialog, state: AppState, into buffer: inout CellBuffer, area: Rect) {
        switch dialog {
        case .traffic(let draft): traffic(draft, state: state, into: &buffer, area: area)
        case .confirm(let confirmation): confirm(confirmation, into: &buffer, area: area)
        }
    }

    static func frame(_ title: String, lines: Int, into buffer: inout CellBuffer, area: Rect) -> Rect? {
        let width = min(area.width, 84)
        let height = min(area.height, lines + 2)
        guard width >= 24, height >= 5 else { return nil }
        let box = Rect(x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width: width, height: height)
        buffer.fill(box, with: .blank)
        buffer.box(box, title: title, role: .title)
        return box.inner
    }

    static func traffic(_ draft: TrafficDraft, state: AppState, into buffer: inout CellBuffer, area: Rect) {
        let lines = 1 + draft.after.count + 1 + 1 + 1 + 1 + 1
        guard let inner = frame("Shift traffic · \(draft.endpoint) (revision \(draft.revision))", lines: lines, into: &buffer, area: area) else { return }
        let end = inner.x + inner.width
        let stable = state.endpoints.first { $0.endpoint == draft.endpoint }?.stableVersion
        var y = inner.y
        buffer.put("  VERSION        BEFORE     AFTER", x: inner.x + 1, y: y, role: .muted, maxWidth: inner.width - 1)
        y += 1
        for (i, (before, after)) in zip(draft.before, draft.after).enumerated() where y < inner.y + inner.height {
            let selected = i == draft.selected
            var x = inner.x + 1
            x += buffer.put(selected ? "▶ " : "  ", x: x, y: y, role: .title)
            x += buffer.put(Format.pad(before.version.description, 12), x: x, y: y, role: before.version == stable ? .stable : .canary)
            x += buffer.put(Format.pad("\(before.weight)%", 6, right: true) + "  →  ", x: x, y: y, role: .muted)
            let typed = selected && draft.field == .weight && !draft.typed.isEmpty
            x += buffer.put(Format.pad("\(after.weight)%", 4, right: true), x: x, y: y,
                            role: typed ? .input : (after.weight != before.weight ? .title : .text))
            if x + 4 < end {
                SplitBar.draw([TrafficWeight(version: after.version, weight: after.weight)], stable: stable,
                              width: min(30, max(0, (end - x - 3) * after.weight / 100)), into: &buffer, x: x + 2, y: y)
            }
            y += 1
        }
        y += 1
        if y < inner.y + inner.height {
            let change = draft.isChanged ? "\(draft.endpoint): \(draft.changeDescription)" : "no change yet"
            buffer.put(change, x: inner.x + 1, y: y, role: draft.isChanged ? .title : .muted, maxWidth: inner.width - 1)
            y += 1
        }
        if y < inner.y + inner.height {
            reasonField(draft.reason, active: draft.field == .reason, into: &buffer, x: inner.x + 1, y: y, width: inner.width - 1)
            y += 1
        }
        if y < inner.y + inner.height {
            buffer.put(Keymap.trafficHint, x: inner.x + 1, y: inner.y + inner.height - 1, role: .muted, maxWidth: inner.width - 1)
        }
    }

    static func confirm(_ confirmation: Confirmation, into buffer: inout CellBuffer, area: Rect) {
        let width = min(area.width, 84) - 4
        let summary = Wrap.lines(confirmation.summary, width: max(10, width))
        guard let inner = frame("Confirm \(confirmation.mutation.label)", lines: summary.count + 4, into: &buffer, area: area) else { return }
        var y = inner.y
        for line in summary where y < inner.y + inner.height - 2 {
            buffer.put(line, x: inner.x + 1, y: y, role: .title, maxWidth: inner.width - 1)
            y += 1
        }
        y += 1
        if y < inner.y + inner.height - 1 {
            reasonField(confirmation.reason, active: true, into: &buffer, x: inner.x + 1, y: y, width: inner.width - 1)
        }
        buffer.put(Keymap.confirmHint, x: inner.x + 1, y: inner.y + inner.height - 1, role: .muted, maxWidth: inner.width - 1)
    }

    /// "reason: manual rollback▏", the end of long text kept in view as it is typed.
    static func reasonField(_ reason: String, active: Bool, into buffer: inout CellBuffer, x: Int, y: Int, width: Int) {
        let label = "reason: "
        let room = max(1, width - label.count - 1)
        let shown = reason.count > room ? "…" + String(reason.suffix(room - 1)) : reason
        buffer.put(label, x: x, y: y, role: .muted)
        buffer.put(shown + (active ? "▏" : ""), x: x + label.count, y: y, role: active ? .input : .text, maxWidth: width - label.count)
    }
}
