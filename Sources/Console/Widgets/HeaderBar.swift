import Foundation

/// The top line: where the console is, what it is connected to, how fresh the data is, the time.
enum HeaderBar {
    static func render(_ state: AppState, into buffer: inout CellBuffer, area: Rect) {
        buffer.fill(area, with: Cell(" ", .header))
        var x = area.x + buffer.put(" Nightjar ", x: area.x, y: area.y, role: .header, maxWidth: area.width)
        // Read-only comes first: the operator must never have to wonder whether a key will act.
        if state.options.readOnly {
            x += buffer.put("READ-ONLY ", x: x, y: area.y, role: .alert, maxWidth: area.x + area.width - x)
        }
        let ready = state.workers.filter { $0.info.state == .ready }.count
        var parts = [state.view.title, "server \(state.serverAddress)", "\(state.endpoints.count) endpoints",
                     "\(ready)/\(state.workers.count) workers ready"]
        if !state.gateways.isEmpty {
            // Replicas not reporting leave their clients out of every number on screen: say so.
            let counted = state.gateways.filter(\.counted).count
            parts.append("\(counted)/\(state.gateways.count) gateway replicas counted")
        }
        if let last = state.lastRefresh {
            parts.append("updated \(max(0, Int(state.now.timeIntervalSince(last))))s ago")
        }
        x += buffer.put("│ " + parts.joined(separator: " │ "), x: x, y: area.y, role: .header, maxWidth: area.x + area.width - x)
        let clock = Format.clock(state.now) + " UTC"
        if area.width - (x - area.x) > clock.count + 2 {
            buffer.put(clock, x: area.x + area.width - clock.count - 1, y: area.y, role: .header)
        }
    }
}
