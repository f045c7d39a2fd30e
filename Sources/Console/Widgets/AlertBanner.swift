/// The top line while alerts are unacknowledged: the newest one, how many more, and how to clear.
enum AlertBanner {
    static func render(_ state: AppState, into buffer: inout CellBuffer, area: Rect) {
        guard let newest = state.alerts.last else { return }
        buffer.fill(area, with: Cell(" ", .alert))
        let more = state.alerts.count > 1 ? "  (+\(state.alerts.count - 1) more)" : ""
        let hint = "  a acknowledge "
        var text = " ▲ ALERT \(Format.clock(newest.at)) \(newest.text)"
        // Measured in cells: an alert's text comes from the server and may hold wide characters.
        let room = area.width - hint.count - more.count
        if DisplayWidth.of(text) > room { text = Format.pad(text, max(0, room - 1)) + "…" }
        buffer.put(text + more, x: area.x, y: area.y, role: .alert, maxWidth: area.width)
        if area.width > DisplayWidth.of(text) + more.count + hint.count {
            buffer.put(hint, x: area.x + area.width - hint.count, y: area.y, role: .alert)
        }
    }
}
