import Foundation

/// The top line: product, server, worker count, and how fresh the data is.
enum HeaderBar {
    static func render(_ state: AppState, into buffer: inout CellBuffer, area: Rect) {
        buffer.fill(area, with: Cell(" ", .header))
        var x = area.x + buffer.put(" Nightjar ", x: area.x, y: area.y, role: .header, maxWidth: area.width)
        let ready = state.workers.filter { $0.info.state == .ready }.count
        var parts = ["server \(state.serverAddress)", "\(ready)/\(state.workers.count) workers ready"]
        if let last = state.lastRefresh {
            parts.append("updated \(max(0, Int(state.now.timeIntervalSince(last))))s ago")
        }
        x += buffer.put("│ " + parts.joined(separator: " │ "), x: x, y: area.y, role: .header, maxWidth: area.x + area.width - x)
        let clock = Self.clock(state.now)
        if area.width - (x - area.x) > clock.count + 2 {
            buffer.put(clock, x: area.x + area.width - clock.count - 1, y: area.y, role: .header)
        }
    }

    static func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date) + " UTC"
    }
}
