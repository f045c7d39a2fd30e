import NightjarCore

/// The spot check: the form on the left, each version's outputs on the right, side by side, with
/// outputs that differ between the versions marked ≠ and in the warn role, and under each version
/// what its running worker answered for the same inputs. The title says why these versions, and
/// each column what its version is ("stable 80%"), so an idle version is never checked unawares.
enum SpotCheckView {
    static func render(_ state: AppState, into buffer: inout CellBuffer, area: Rect) {
        guard let spot = state.spotCheck else { return }
        let versions = spot.versions.map(\.description).joined(separator: " vs ")
        // The model is named in each column (model@version); the title keeps its room for why.
        let title = "Spot check · \(spot.endpoint): \(versions)" + (spot.why.isEmpty ? "" : ", \(spot.why)")
        let inner = PanelFrame.draw(title, feed: nil, focused: true, into: &buffer, area: area)
        guard inner.height >= 2, inner.width >= 20 else { return }
        if let error = spot.schemaError {
            for (i, line) in Wrap.lines(error, width: inner.width - 2).enumerated() where i < inner.height {
                buffer.put(line, x: inner.x + 1, y: inner.y + i, role: .critical)
            }
            return
        }
        guard spot.schema != nil else {
            buffer.put("loading the schema of \(spot.model)@\(spot.versions.first?.description ?? "")…", x: inner.x + 1, y: inner.y,
                       role: .muted, maxWidth: inner.width - 1)
            return
        }
        let formWidth = min(40, inner.width / 2)
        form(spot, into: &buffer, area: Rect(x: inner.x, y: inner.y, width: formWidth, height: inner.height))
        for y in inner.y..<(inner.y + inner.height) { buffer[inner.x + formWidth, y] = Cell("│", .border) }
        outputs(spot, into: &buffer, area: Rect(x: inner.x + formWidth + 1, y: inner.y, width: inner.width - formWidth - 1, height: inner.height))
    }

    static func form(_ spot: SpotCheck, into buffer: inout CellBuffer, area: Rect) {
        buffer.put("INPUT", x: area.x + 1, y: area.y, role: .muted)
        let visible = area.height - 1
        guard visible > 0 else { return }
        let first = max(0, min(spot.selected - visible + 1, spot.fields.count - visible))
        let labelWidth = min(20, max(8, (spot.fields.map(\.label.count).max() ?? 8)))
        for (offset, field) in spot.fields.dropFirst(first).prefix(visible).enumerated() {
            let y = area.y + 1 + offset
            let selected = first + offset == spot.selected
            buffer.put(Format.pad(field.label, labelWidth), x: area.x + 1, y: y, role: selected ? .title : .muted)
            let value = field.text + (selected ? "▏" : "")
            buffer.put(value.isEmpty ? "·" : value, x: area.x + 2 + labelWidth, y: y, role: selected ? .input : .text,
                       maxWidth: area.width - labelWidth - 3)
        }
    }

    static func outputs(_ spot: SpotCheck, into buffer: inout CellBuffer, area: Rect) {
        let differing = spot.differingOutputs
        let columnWidth = max(10, (area.width - 1) / max(1, spot.versions.count))
        for (i, version) in spot.versions.enumerated() {
            let x = area.x + 1 + i * columnWidth
            let end = min(area.x + area.width, x + columnWidth - 1)
            buffer.put("\(spot.model)@\(version)", x: x, y: area.y, role: i == 0 ? .stable : .canary, maxWidth: end - x)
            var y = area.y + 1
            if let role = spot.roles[version], y < area.y + area.height {
                buffer.put(role, x: x, y: y, role: .muted, maxWidth: end - x)
                y += 1
            }
            switch spot.outcomes[version] {
            case nil:
                buffer.put("Enter runs it", x: x, y: y, role: .muted, maxWidth: end - x)
            case .running?:
                buffer.put("running…", x: x, y: y, role: .muted, maxWidth: end - x)
            case .failed(let message)?:
                for line in Wrap.lines(message, width: max(1, end - x)) where y < area.y + area.height {
                    buffer.put(line, x: x, y: y, role: .critical, maxWidth: end - x)
                    y += 1
                }
            case .done(let outputs)?:
                for output in outputs where y < area.y + area.height {
                    let differs = differing.contains(output.name)
                    buffer.put((differs ? "≠ " : "  ") + output.name, x: x, y: y, role: differs ? .warn : .muted, maxWidth: end - x)
                    y += 1
                    for value in output.values where y < area.y + area.height {
                        buffer.put("  " + value, x: x, y: y, role: differs ? .warn : .text, maxWidth: end - x)
                        y += 1
                    }
                }
            }
            served(spot, version: version, into: &buffer, x: x, y: y + 1, end: end, bottom: area.y + area.height)
        }
    }

    /// "● served: same", or the worker's differing outputs marked ≠, or why it could not say.
    static func served(_ spot: SpotCheck, version: SemVer, into buffer: inout CellBuffer, x: Int, y: Int, end: Int, bottom: Int) {
        guard y < bottom, case .done? = spot.outcomes[version] else { return }
        let width = max(1, end - x)
        switch spot.served[version] {
        case nil:
            buffer.put("○ served: no worker", x: x, y: y, role: .idle, maxWidth: width)
        case .running?:
            buffer.put("served: asking…", x: x, y: y, role: .muted, maxWidth: width)
        case .failed(let message)?:
            for (i, line) in Wrap.lines("✖ served: " + message, width: width).enumerated() where y + i < bottom {
                buffer.put(line, x: x, y: y + i, role: .critical, maxWidth: width)
            }
        case .done(let outputs)?:
            if spot.servedMatchesLocal(version) == true {
                buffer.put("● served: same", x: x, y: y, role: .ok, maxWidth: width)
                return
            }
            buffer.put("≠ served:", x: x, y: y, role: .warn, maxWidth: width)
            var row = y + 1
            for output in outputs where row < bottom {
                buffer.put("  \(output.name) " + output.values.joined(separator: " "), x: x, y: row, role: .warn, maxWidth: width)
                row += 1
            }
        }
    }
}
