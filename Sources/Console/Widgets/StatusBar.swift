/// The bottom line: an error or status message when there is one, key hints otherwise.
enum StatusBar {
    static func render(_ state: AppState, into buffer: inout CellBuffer, area: Rect) {
        if let error = state.serverError {
            buffer.put(" ✖ " + error, x: area.x, y: area.y, role: .statusError, maxWidth: area.width)
            return
        }
        if let status = state.status {
            buffer.put(" " + status.text, x: area.x, y: area.y, role: status.isError ? .statusError : .text, maxWidth: area.width)
            return
        }
        buffer.put(" q quit  ↑↓/jk select  Tab panel  r refresh  ? help", x: area.x, y: area.y, role: .muted, maxWidth: area.width)
    }
}
