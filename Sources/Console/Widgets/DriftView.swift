import NightjarCore

/// One endpoint's drift: per version carrying traffic, every watched column worst first with its
/// verdict, main statistic, live count and reference-against-live bars. Versions sit side by side
/// on wide screens and stacked on narrow ones; Enter shows the selected column enlarged.
enum DriftView {
    /// Below this width two tables do not fit side by side with their bars.
    static let sideBySideWidth = 140
    /// What each table needs beside the others: at less, column names are cut to a few letters
    /// (three versions at 140 columns read `feat` on six rows), so more versions stack instead.
    static let sideBySideTableWidth = sideBySideWidth / 2

    static func render(_ state: AppState, name: String, into buffer: inout CellBuffer, area: Rect) {
        guard let endpoint = state.endpoints.first(where: { $0.endpoint == name }) else {
            EndpointDetail.missing(state, name: name, title: "Drift \(name)", into: &buffer, area: area)
            return
        }
        guard area.height >= 4, area.width >= 20 else { return }
        EndpointDetail.splitLine(state, endpoint, into: &buffer, area: Rect(x: area.x, y: area.y, width: area.width, height: 1))
        let body = Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1)
        let versions = state.driftVersions
        if state.drift.enlarged, let version = state.focusedDriftVersion, let column = state.focusedDriftColumn {
            DriftColumnView.render(state, endpoint, version, column, into: &buffer, area: body)
            return
        }
        guard !versions.isEmpty else {
            let inner = PanelFrame.draw("Drift", feed: state.endpointsFeed, focused: true, into: &buffer, area: body)
            buffer.put("\(name) has no version", x: inner.x + 1, y: inner.y, role: .muted, maxWidth: inner.width - 1)
            return
        }
        let shown = panels(count: versions.count, selected: state.drift.version, in: body)
        for (index, rect) in shown {
            table(state, endpoint, versions[index], focused: index == state.drift.version, othersHidden: shown.count < versions.count,
                  into: &buffer, area: rect)
        }
    }

    /// Where each version's table goes: side by side when wide, stacked when each still gets a few
    /// rows, otherwise only the selected one (← → brings the others).
    static func panels(count: Int, selected: Int, in body: Rect) -> [(Int, Rect)] {
        guard count > 0 else { return [] }
        if count > 1 && body.width >= sideBySideWidth && body.width / count >= sideBySideTableWidth {
            let width = body.width / count
            return (0..<count).map { i in
                (i, Rect(x: body.x + i * width, y: body.y, width: i == count - 1 ? body.width - i * width : width, height: body.height))
            }
        }
        if body.height / count >= 6 {
            let height = body.height / count
            return (0..<count).map { i in
                (i, Rect(x: body.x, y: body.y + i * height, width: body.width, height: i == count - 1 ? body.height - i * height : height))
            }
        }
        return [(min(max(selected, 0), count - 1), body)]
    }

    static func title(_ endpoint: EndpointStatus, _ version: EndpointStatus.VersionStatus, othersHidden: Bool) -> String {
        let role = version.version == endpoint.stableVersion ? "stable" : "canary"
        var title = "\(version.version) \(role) \(version.weight)%"
        if let report = version.drift {
            title += " · last \(Format.duration(Double(report.windowSeconds))) · \(report.columns.count) column\(report.columns.count == 1 ? "" : "s")"
        }
        return othersHidden ? title + " · ← → other versions" : title
    }

    /// Fixed widths of a table row; the name and the bars share what is left.
    struct Columns {
        var verdict: Int
        var name: Int
        static let role = 7
        static let statistic = 10
        static let live = 6

        init(_ columns: [DriftColumnReport], width: Int) {
            verdict = max(7, columns.map { HealthSymbol.of($0.verdict).word.count }.max() ?? 0)
            let fixed = 3 + verdict + 1 + 1 + Self.role + 1 + Self.statistic + 1 + Self.live + 2
            let longest = max(6, min(24, columns.map(\.name.count).max() ?? 0))
            // The bars want at least eight cells; a long name is cut before they go.
            name = max(4, min(longest, width - fixed - 8))
        }
    }

    static func table(_ state: AppState, _ endpoint: EndpointStatus, _ version: EndpointStatus.VersionStatus, focused: Bool,
                      othersHidden: Bool, into buffer: inout CellBuffer, area: Rect) {
        let inner = PanelFrame.draw(title(endpoint, version, othersHidden: othersHidden), feed: state.endpointsFeed, focused: focused,
                                    into: &buffer, area: area)
        guard inner.height >= 1, inner.width >= 10 else { return }
        guard let report = version.drift else {
            let why = "no drift report for \(version.version): pushed without a reference profile (nightjar push --reference), or no worker has reported yet"
            for (i, line) in Wrap.lines(why, width: inner.width - 2).enumerated() where i < inner.height {
                buffer.put(line, x: inner.x + 1, y: inner.y + i, role: .muted, maxWidth: inner.width - 1)
            }
            return
        }
        let columns = state.driftColumns(of: version)
        let layout = Columns(columns, width: inner.width)
        let header = "   " + Format.pad("VERDICT", layout.verdict) + " " + Format.pad("COLUMN", layout.name) + " "
            + Format.pad("ROLE", Columns.role) + " " + Format.pad("STATISTIC", Columns.statistic) + " "
            + Format.pad("LIVE", Columns.live, right: true) + "  REF|LIVE PER BIN"
        buffer.put(header, x: inner.x, y: inner.y, role: .muted, maxWidth: inner.width)
        guard !columns.isEmpty else {
            let message = report.columns.isEmpty ? "no columns watched" : "no column matches /\(state.filter)"
            buffer.put(message, x: inner.x + 3, y: inner.y + 1, role: .muted, maxWidth: inner.width - 3)
            return
        }
        let visible = inner.height - 1
        let selected = focused ? state.drift.column : 0
        let first = max(0, min(selected - visible + 1, columns.count - visible))
        for (offset, column) in columns.dropFirst(first).prefix(visible).enumerated() {
            let y = inner.y + 1 + offset
            row(column, layout: layout, into: &buffer, x: inner.x, y: y, width: inner.width)
            if focused && first + offset == state.drift.column {
                buffer.paint(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selected)
            }
        }
    }

    static func row(_ column: DriftColumnReport, layout: Columns, into buffer: inout CellBuffer, x: Int, y: Int, width: Int) {
        let end = x + width
        let verdict = HealthSymbol.of(column.verdict)
        var cx = x + 1
        cx += buffer.put(verdict.symbol + " ", x: cx, y: y, role: verdict.role, maxWidth: end - cx)
        cx += buffer.put(Format.pad(verdict.word, layout.verdict) + " ", x: cx, y: y, role: verdict.role, maxWidth: end - cx)
        cx += buffer.put(Format.pad(Format.columnName(column.name, width: layout.name), layout.name) + " ", x: cx, y: y, maxWidth: end - cx)
        cx += buffer.put(Format.pad(column.role.rawValue, Columns.role) + " ", x: cx, y: y, role: .muted, maxWidth: end - cx)
        let statistic = DriftTable.mainStatistic(column)
        cx += buffer.put(Format.pad(statistic?.name ?? "", 4), x: cx, y: y, role: .muted, maxWidth: end - cx)
        cx += buffer.put(Format.pad(statistic.map { DriftTable.value($0.value) } ?? "—", Columns.statistic - 4, right: true) + " ",
                         x: cx, y: y, role: verdict.role, maxWidth: end - cx)
        cx += buffer.put(Format.pad(DriftTable.count(column.liveCount), Columns.live, right: true) + "  ", x: cx, y: y, maxWidth: end - cx)
        if end - cx >= 2 { DriftBars.draw(column.histogram, width: end - cx - 1, into: &buffer, x: cx, y: y) }
    }
}
