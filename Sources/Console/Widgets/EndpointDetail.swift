import Foundation
import NightjarCore

/// One endpoint: its split, its versions side by side with five minutes of history, its rollout
/// with every rule against its limit, and its recent events.
enum EndpointDetail {
    static func render(_ state: AppState, name: String, into buffer: inout CellBuffer, area: Rect) {
        guard let endpoint = state.endpoints.first(where: { $0.endpoint == name }) else {
            missing(state, name: name, title: "Endpoint \(name)", into: &buffer, area: area)
            return
        }
        guard area.height >= 4, area.width >= 20 else { return }
        var y = area.y
        splitLine(state, endpoint, into: &buffer, area: Rect(x: area.x, y: y, width: area.width, height: 1))
        y += 1
        // The shadow and routing rules come before the versions: they say where requests go.
        let routingRows = min(RoutingLines.count(endpoint), max(0, area.height - 4))
        if routingRows > 0 {
            RoutingLines.render(endpoint, into: &buffer, area: Rect(x: area.x, y: y, width: area.width, height: routingRows))
            y += routingRows
        }

        let rest = area.y + area.height - y
        let rolloutHeight = endpoint.rollout.map { 4 + max(1, $0.checks.count) + ($0.reason == nil ? 0 : 1) } ?? 3
        // Worker rows (drift, answers, batches, CPU) come after the rollout and one event: at 80x24
        // they give way, and `d` or a taller terminal shows them.
        let extraRows = max(0, min(VersionRow.allCases.count, rest - 8 - rolloutHeight - 4))
        let versionsHeight = min(8 + extraRows, rest - 3)
        let rolloutShown = min(rolloutHeight, max(0, rest - versionsHeight - 3))
        let eventsHeight = rest - versionsHeight - rolloutShown
        versions(state, endpoint, into: &buffer, area: Rect(x: area.x, y: y, width: area.width, height: versionsHeight))
        y += versionsHeight
        if rolloutShown >= 3 {
            rollout(state, endpoint, into: &buffer, area: Rect(x: area.x, y: y, width: area.width, height: rolloutShown))
            y += rolloutShown
        }
        if eventsHeight >= 3 {
            EventsPanel.render(state, title: "Events of \(name)", focused: state.pane == .secondary, into: &buffer,
                               area: Rect(x: area.x, y: y, width: area.width, height: eventsHeight))
        }
    }

    /// Where the endpoint is not (yet) on the control plane: what a view of it says instead.
    static func missing(_ state: AppState, name: String, title: String, into buffer: inout CellBuffer, area: Rect) {
        let inner = PanelFrame.draw(title, feed: state.endpointsFeed, focused: true, into: &buffer, area: area)
        let message = state.endpointsFeed.lastSuccess == nil ? "loading…" : "no endpoint '\(name)' on the control plane (Esc to go back)"
        buffer.put(message, x: inner.x + 1, y: inner.y, role: .muted, maxWidth: inner.width - 1)
    }

    /// The endpoint's split as a bar and in words, then who set it, when and why; stale note at the right.
    static func splitLine(_ state: AppState, _ endpoint: EndpointStatus, into buffer: inout CellBuffer, area: Rect) {
        let y = area.y
        let end = area.x + area.width
        let stable = endpoint.stableVersion
        var x = area.x + 1
        x += buffer.put("\(endpoint.endpoint) ", x: x, y: y, role: .title, maxWidth: end - x)
        x += SplitBar.draw(endpoint.deployment.weights, stable: stable, width: min(30, max(6, area.width / 4)), into: &buffer, x: x, y: y) + 1
        x += SplitBar.legend(endpoint.deployment.weights, stable: stable, into: &buffer, x: x, y: y, maxWidth: end - x)
        let d = endpoint.deployment
        var set = "  rev \(d.revision) · set \(Format.clock(d.updatedAt)) by \(d.updatedBy)"
        if let reason = d.reason, !reason.isEmpty { set += ": \(reason)" }
        buffer.put(set, x: x, y: y, role: .muted, maxWidth: end - x)
        if let note = state.endpointsFeed.staleNote {
            let text = " \(note) "
            buffer.put(text, x: max(x, end - text.count), y: y, role: .stale, maxWidth: end - x)
        }
    }

    /// The rows of a version's column, in order.
    enum Metric: CaseIterable {
        case rate, errorRate, p50, p95, p99

        var label: String {
            switch self {
            case .rate: "req/s"
            case .errorRate: "err%"
            case .p50: "p50 ms"
            case .p95: "p95 ms"
            case .p99: "p99 ms"
            }
        }

        func value(_ s: StatsSnapshot) -> String {
            if self != .rate && !s.hasRequestsInWindow { return "—" }
            return switch self {
            case .rate: Format.rate(s.requestsPerSecond)
            case .errorRate: Format.percent(s.errorRate)
            case .p50: Format.latency(s.latencyMs.p50)
            case .p95: Format.latency(s.latencyMs.p95)
            case .p99: Format.latency(s.latencyMs.p99)
            }
        }

        func series(_ h: VersionHistory) -> [Double] {
            switch self {
            case .rate: h.requestsPerSecond
            case .errorRate: h.errorRate
            case .p50: h.p50
            case .p95: h.p95
            case .p99: h.p99
            }
        }
    }

    static func versions(_ state: AppState, _ endpoint: EndpointStatus, into buffer: inout CellBuffer, area: Rect) {
        guard area.height >= 3 else { return }
        let samples = endpoint.versions.compactMap { state.history[VersionHistory.key(endpoint: endpoint.endpoint, version: $0.version)]?.requestsPerSecond.count }.max() ?? 0
        let columns = max(1, endpoint.versions.count)
        let sparkWidth = Self.sparkWidth(columnWidth: (area.width - 2 - (columns - 1)) / columns)
        let perCell = Sparkline.samplesPerCell(count: samples, width: sparkWidth)
        let span = Format.duration(Double(min(samples, VersionHistory.length)))
        let title = "Versions · last \(span)" + (perCell > 1 ? ", \(perCell) s per cell" : ", 1 s per cell")
        let inner = PanelFrame.draw(title, feed: nil, focused: state.pane == .primary, into: &buffer, area: area)
        let count = endpoint.versions.count
        guard count > 0, inner.width >= 10 else { return }
        let columnWidth = (inner.width - (count - 1)) / count
        for (i, version) in endpoint.versions.enumerated() {
            let x = inner.x + i * (columnWidth + 1)
            if i > 0 {
                for y in inner.y..<(inner.y + inner.height) { buffer[x - 1, y] = Cell("│", .border) }
            }
            column(state, endpoint, version, selected: i == state.selectedVersion && state.pane == .primary,
                   into: &buffer, area: Rect(x: x, y: inner.y, width: columnWidth, height: inner.height))
        }
    }

    /// Cells left for a sparkline in a version column after the label and the value.
    static func sparkWidth(columnWidth: Int) -> Int { columnWidth - 1 - 7 - 9 - 1 }

    static func column(_ state: AppState, _ endpoint: EndpointStatus, _ version: EndpointStatus.VersionStatus, selected: Bool,
                       into buffer: inout CellBuffer, area: Rect) {
        let isStable = version.version == endpoint.stableVersion
        let verdict: HealthVerdict = version.weight > 0 && version.readyWorkers == 0 ? .critical
            : version.stats.map { HealthLimits().verdict(for: $0) } ?? .idle
        let health = HealthSymbol.of(verdict)
        let end = area.x + area.width
        var x = area.x + 1
        x += buffer.put("\(health.symbol) ", x: x, y: area.y, role: health.role, maxWidth: end - x)
        x += buffer.put("\(version.version) ", x: x, y: area.y, role: isStable ? .stable : .canary, maxWidth: end - x)
        let workers = "\(version.readyWorkers) worker\(version.readyWorkers == 1 ? "" : "s")"
        let part = isStable ? "stable" : endpoint.deployment.routing.shadow?.version == version.version ? "shadow" : "canary"
        buffer.put("\(part) \(version.weight)% · \(workers) · \(health.word)", x: x, y: area.y,
                   role: version.readyWorkers == 0 && version.weight > 0 ? .critical : .muted, maxWidth: end - x)
        if selected { buffer.paint(Rect(x: area.x, y: area.y, width: area.width, height: 1), role: .selected) }

        let history = state.history[VersionHistory.key(endpoint: endpoint.endpoint, version: version.version)] ?? VersionHistory()
        let sparkWidth = Self.sparkWidth(columnWidth: area.width)
        for (i, row) in Metric.allCases.enumerated() where i + 1 < area.height {
            let y = area.y + 1 + i
            buffer.put(Format.pad(row.label, 7), x: area.x + 1, y: y, role: .muted)
            let value = version.stats.map(row.value) ?? "—"
            let valueRole: Role = row == .errorRate && (version.stats?.errorRate ?? 0) >= HealthLimits().warnErrorRate
                ? ((version.stats?.errorRate ?? 0) >= HealthLimits().criticalErrorRate ? .critical : .warn) : .text
            buffer.put(Format.pad(value, 8, right: true), x: area.x + 8, y: y, role: valueRole)
            if sparkWidth >= 4 {
                Sparkline.draw(row.series(history), width: min(sparkWidth, end - area.x - 17), into: &buffer, x: area.x + 17, y: y,
                               role: isStable ? .stable : .canary)
            }
        }
        let workload = VersionWorkload(state.workers, model: ModelRef(name: endpoint.deployment.model, version: version.version))
        for (i, row) in VersionRow.allCases.enumerated() where i + 1 + Metric.allCases.count < area.height {
            let y = area.y + 1 + Metric.allCases.count + i
            buffer.put(Format.pad(row.label, 7), x: area.x + 1, y: y, role: .muted)
            row.draw(version, workload, into: &buffer, x: area.x + 9, y: y, maxWidth: end - area.x - 9)
        }
    }

    static func rollout(_ state: AppState, _ endpoint: EndpointStatus, into buffer: inout CellBuffer, area: Rect) {
        guard let rollout = endpoint.rollout else {
            let inner = PanelFrame.draw("Rollout", feed: nil, focused: false, into: &buffer, area: area)
            buffer.put("no rollout: + - shift traffic by hand, R rolls back", x: inner.x + 1, y: inner.y, role: .muted, maxWidth: inner.width - 1)
            return
        }
        let inner = PanelFrame.draw("Rollout \(rollout.stable) → \(rollout.candidate)", feed: nil, focused: false, into: &buffer, area: area)
        guard inner.height >= 1 else { return }
        let end = inner.x + inner.width
        let cell = EndpointsPanel.rolloutCell(rollout, width: 30)
        var x = inner.x + 1
        x += buffer.put(rollout.state.rawValue, x: x, y: inner.y, role: cell.role, maxWidth: end - x)
        let strategy = rollout.plan.strategy == .canary ? "" : "\(rollout.plan.strategy.rawValue) "
        var line = " · \(strategy)\(MutationPlanner.step(rollout)) of "
            + rollout.plan.steps.map { $0 == 0 ? "shadow" : String($0) }.joined(separator: " → ")
        if rollout.shadowsCandidate {
            line += " · \(rollout.candidate) shadowed, \(rollout.plan.mirrorPercent)% mirrored"
        }
        if rollout.plan.strategy == .shadowOnly && !rollout.state.isFinished {
            // Nothing moves on its own: the operator decides.
            line += " · held until P promotes or X aborts"
        } else if let next = rollout.nextStepAt {
            line += " · next step in \(Format.duration(next.timeIntervalSince(state.now)))"
        }
        line += " · started \(Format.clock(rollout.startedAt)) by \(rollout.startedBy)"
        x += buffer.put(line, x: x, y: inner.y, role: .text, maxWidth: end - x)
        var y = inner.y + 1
        if let reason = rollout.reason, y < inner.y + inner.height {
            buffer.put("why: \(reason)", x: inner.x + 1, y: y, role: rollout.state == .rolledBack ? .critical : .muted, maxWidth: inner.width - 1)
            y += 1
        }
        guard y < inner.y + inner.height else { return }
        let ruleWidth = min(28, max(12, inner.width / 3))
        buffer.put("  " + Format.pad("RULE", ruleWidth) + " " + Format.pad("MEASURED", 12, right: true) + " "
                   + Format.pad("LIMIT", 12, right: true) + "  VERDICT", x: inner.x + 1, y: y, role: .muted, maxWidth: inner.width - 1)
        y += 1
        for check in rollout.checks where y < inner.y + inner.height {
            let verdict = HealthSymbol.of(check.verdict)
            var cx = inner.x + 1
            cx += buffer.put(verdict.symbol + " ", x: cx, y: y, role: verdict.role, maxWidth: end - cx)
            cx += buffer.put(Format.pad(check.rule, ruleWidth) + " ", x: cx, y: y, maxWidth: end - cx)
            cx += buffer.put(Format.pad(RuleFormat.value(check.measured, unit: check.unit), 12, right: true) + " ", x: cx, y: y,
                             role: verdict.role, maxWidth: end - cx)
            cx += buffer.put(Format.pad(RuleFormat.value(check.threshold, unit: check.unit), 12, right: true) + "  ", x: cx, y: y,
                             role: .muted, maxWidth: end - cx)
            buffer.put(verdict.word, x: cx, y: y, role: verdict.role, maxWidth: end - cx)
            y += 1
        }
        if rollout.checks.isEmpty && y < inner.y + inner.height {
            buffer.put("no analysis yet", x: inner.x + 3, y: y, role: .muted, maxWidth: inner.width - 3)
        }
    }
}
