import Foundation
import NightjarCore

/// One row per worker: health, version, address, live rate, error rate, latency and a rate sparkline.
enum WorkersPanel {
    struct Column {
        let title: String
        let width: Int
        let rightAligned: Bool
    }

    static let columns = [
        Column(title: "", width: 2, rightAligned: false),
        Column(title: "VERSION", width: 18, rightAligned: false),
        Column(title: "STATE", width: 9, rightAligned: false),
        Column(title: "REQ/S", width: 8, rightAligned: true),
        Column(title: "ERR%", width: 7, rightAligned: true),
        Column(title: "P50 ms", width: 8, rightAligned: true),
        Column(title: "P99 ms", width: 8, rightAligned: true),
        Column(title: "ADDRESS", width: 24, rightAligned: false),
    ]

    static func render(_ state: AppState, into buffer: inout CellBuffer, area: Rect) {
        guard area.height >= 3 else { return }
        let workers = state.shownWorkers
        let focused = state.view == .workers || (state.view == .overview && state.pane == .secondary)
        var title = "Workers (\(workers.count)\(state.filter.isEmpty ? "" : " of \(state.workers.count)"))"
        if !state.filter.isEmpty && state.view == .workers { title += " /\(state.filter)" }
        let inner = PanelFrame.draw(title, feed: state.workersFeed, focused: focused, into: &buffer, area: area)
        guard inner.height >= 1 else { return }
        let sparkWidth = max(0, inner.width - columns.reduce(0) { $0 + $1.width + 1 } - 1)
        var header = columns.map { pad($0.title, $0) }
        if sparkWidth >= 8 { header.append("REQ/S, LAST \(AppState.historyLength) s") }
        buffer.put(header.joined(separator: " "), x: inner.x, y: inner.y, role: .muted, maxWidth: inner.width)

        if workers.isEmpty {
            if state.workersFeed.lastSuccess == nil && state.workersFeed.failure != nil {
                PanelFrame.unavailable(state.workersFeed, what: "workers", into: &buffer,
                                       area: Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 1))
            } else {
                let message = state.workersFeed.lastSuccess == nil ? "loading workers…"
                    : state.workers.isEmpty ? "no workers registered yet" : "no worker matches /\(state.filter)"
                buffer.put(message, x: inner.x + 2, y: inner.y + 1, role: .muted, maxWidth: inner.width - 2)
            }
            return
        }
        let visible = inner.height - 1
        let first = max(0, min(state.selectedWorker - visible + 1, workers.count - visible))
        for (offset, row) in workers.dropFirst(first).prefix(visible).enumerated() {
            let index = first + offset
            let y = inner.y + 1 + offset
            let health = HealthSymbol.of(row)
            var x = inner.x
            let addressRoom = inner.x + inner.width - x - columns.dropLast().reduce(0) { $0 + $1.width + 1 }
            let cells = cellsFor(row, health: health.word, addressWidth: min(columns[columns.count - 1].width, addressRoom))
            for (i, column) in columns.enumerated() {
                let role: Role = i == 0 ? health.role : (i == 2 ? health.role : .text)
                let text = i == 0 ? health.symbol : cells[i]
                buffer.put(pad(text, column), x: x, y: y, role: role, maxWidth: inner.x + inner.width - x)
                x += column.width + 1
            }
            if sparkWidth >= 8 {
                Sparkline.draw(Array(row.rateHistory.suffix(min(sparkWidth, inner.x + inner.width - x))),
                               width: min(sparkWidth, inner.x + inner.width - x), into: &buffer, x: x, y: y, role: health.role)
            }
            if focused && index == state.selectedWorker {
                buffer.paint(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selected)
            }
        }
    }

    static func cellsFor(_ row: AppState.WorkerRow, health: String, addressWidth: Int) -> [String] {
        let dash = "—"
        let stats = row.info.state == .ready ? row.stats : nil
        let measured = stats.flatMap { $0.hasRequestsInWindow ? $0 : nil }
        return [
            "",
            row.info.model.description,
            row.statsError != nil && row.info.state == .ready ? "no stats" : health,
            stats.map { Format.rate($0.requestsPerSecond) } ?? dash,
            measured.map { Format.percent($0.errorRate) } ?? dash,
            measured.map { Format.latency($0.latencyMs.p50) } ?? dash,
            measured.map { Format.latency($0.latencyMs.p99) } ?? dash,
            Format.address(row.info.address, width: addressWidth),
        ]
    }

    static func pad(_ text: String, _ column: Column) -> String {
        let cut = String(text.prefix(column.width))
        let space = String(repeating: " ", count: column.width - cut.count)
        return column.rightAligned ? space + cut : cut + space
    }
}
