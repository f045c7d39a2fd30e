/// Every key of the current view, in a box over the middle of the screen.
enum HelpOverlay {
    static func render(_ state: AppState, into buffer: inout CellBuffer, area: Rect) {
        let entries = Keymap.entries(for: state.view, readOnly: state.options.readOnly)
        let width = min(area.width, 80)
        let height = min(area.height, entries.count + 4)
        guard width >= 20, height >= 4 else { return }
        let box = Rect(x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width: width, height: height)
        buffer.fill(box, with: .blank)
        buffer.box(box, title: "Keys · \(state.view.title)\(state.options.readOnly ? " · read-only" : "")", role: .title)
        for (i, entry) in entries.enumerated() where i < box.inner.height - 1 {
            let y = box.inner.y + 1 + i
            buffer.put(entry.keys, x: box.inner.x + 1, y: y, role: .title, maxWidth: 14)
            buffer.put(entry.does, x: box.inner.x + 16, y: y, role: .text, maxWidth: box.inner.width - 16)
        }
    }
}
