import Foundation
import NightjarCore

/// The overview's top panel: one row per endpoint, worst first — health, split, rollout, drift,
/// rate, error rate, p99, and why it is not ok.
enum EndpointsPanel {
    static func render(_ state: AppState, ranked shown: [(status: EndpointStatus, health: EndpointHealth)],
                       into buffer: inout CellBuffer, area: Rect) {
        guard area.height >= 3 else { return }
        let focused = state.view == .overview && state.pane == .primary
        var title = "Endpoints (\(shown.count)\(state.filter.isEmpty ? "" : " of \(state.endpoints.count)"))"
        if !state.filter.isEmpty { title += " /\(state.filter)" }
        let inner = PanelFrame.draw(title, feed: state.endpointsFeed, focused: focused, into: &buffer, area: area)
        guard inner.height >= 1, inner.width >= 20 else { return }

        let layout = Layout(width: inner.width)
        buffer.put(layout.header, x: inner.x, y: inner.y, role: .muted, maxWidth: inner.width)
        if state.endpoints.isEmpty {
            if state.endpointsFeed.lastSuccess == nil && state.endpointsFeed.failure != nil {
                PanelFrame.unavailable(state.endpointsFeed, what: "endpoints", into: &buffer,
                                       area: Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 1))
            } else {
                buffer.put(state.endpointsFeed.lastSuccess == nil ? "loading endpoints…" : "no endpoints deployed yet",
                           x: inner.x + 2, y: inner.y + 1, role: .muted, maxWidth: inner.width - 2)
            }
            return
        }
        if shown.isEmpty {
            buffer.put("no endpoint matches /\(state.filter) (Esc clears the filter)", x: inner.x + 2, y: inner.y + 1, role: .muted,
                       maxWidth: inner.width - 2)
            return
        }
        let visible = inner.height - 1
        let first = max(0, min(state.selectedEndpoint - visible + 1, shown.count - visible))
        for (offset, endpoint) in shown.dropFirst(first).prefix(visible).enumerated() {
            let y = inner.y + 1 + offset
            drawRow(endpoint.status, health: endpoint.health, layout: layout, into: &buffer, x: inner.x, y: y, width: inner.width)
            if focused && first + offset == state.selectedEndpoint {
                buffer.paint(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selected)
            }
        }
    }

    /// Column widths for a panel width: the split and the reason share what the fixed columns leave.
    struct Layout {
        let name: Int
        let split: Int
        let rollout: Int
        let why: Int
        static let numbers = 8 + 1 + 7 + 1 + 8
        /// "✖ drift": symbol and the verdict's word.
        static let drift = 7

        init(width: Int) {
            name = width >= 100 ? 16 : 12
            rollout = width >= 120 ? 22 : 15
            let free = width - (2 + name + 1 + rollout + 1 + Self.drift + 1 + Self.numbers + 1) - 1
            split = max(6, min(44, free))
            why = max(0, free - split - 1)
        }

        var header: String {
            var text = "  " + Format.pad("ENDPOINT", name) + " " + Format.pad("SPLIT", split) + " "
                + Format.pad("ROLLOUT", rollout) + " " + Format.pad("DRIFT", Self.drift) + " " + Format.pad("REQ/S", 8, right: true) + " "
                + Format.pad("ERR%", 7, right: true) + " " + Format.pad("P99 ms", 8, right: true)
            if why >= 8 { text += "  WHY" }
            return text
        }
    }

    static func drawRow(_ endpoint: EndpointStatus, health: EndpointHealth, layout: Layout, into buffer: inout CellBuffer,
                        x: Int, y: Int, width: Int) {
        let symbol = HealthSymbol.of(health.verdict)
        let end = x + width
        var cx = x
        buffer.put(symbol.symbol, x: cx, y: y, role: symbol.role)
        cx += 2
        buffer.put(Format.pad(endpoint.endpoint, layout.name), x: cx, y: y, role: symbol.role, maxWidth: end - cx)
        cx += layout.name + 1

        // The bar takes up to half the split column; the legend gets the rest when it fits.
        let stable = endpoint.stableVersion
        let barWidth = layout.split >= 24 ? min(20, layout.split / 2) : layout.split
        SplitBar.draw(endpoint.deployment.weights, stable: stable, width: barWidth, into: &buffer, x: cx, y: y)
        if layout.split - barWidth > 4 {
            SplitBar.legend(endpoint.deployment.weights, stable: stable, into: &buffer, x: cx + barWidth + 1, y: y,
                            maxWidth: layout.split - barWidth - 1)
        }
        cx += layout.split + 1

        let rollout = rolloutCell(endpoint)
        buffer.put(Format.pad(rollout.text, layout.rollout), x: cx, y: y, role: rollout.role, maxWidth: end - cx)
        cx += layout.rollout + 1

        let drift = driftCell(health.drift)
        buffer.put(Format.pad(drift.text, Layout.drift), x: cx, y: y, role: drift.role, maxWidth: end - cx)
        cx += Layout.drift + 1

        let hasStats = endpoint.versions.contains { $0.stats != nil }
        let dash = "—"
        buffer.put(Format.pad(hasStats ? Format.rate(health.requestsPerSecond) : dash, 8, right: true), x: cx, y: y, maxWidth: end - cx)
        cx += 9
        let errorRole: Role = health.errorRate >= HealthLimits().criticalErrorRate ? .critical
            : health.errorRate >= HealthLimits().warnErrorRate ? .warn : .text
        // No request in the window: no error rate was measured (P99 is nil then too).
        let hasRequests = health.requestsPerSecond > 0
        buffer.put(Format.pad(hasRequests ? Format.percent(health.errorRate) : dash, 7, right: true), x: cx, y: y,
                   role: hasRequests ? errorRole : .text, maxWidth: end - cx)
        cx += 8
        buffer.put(Format.pad(health.p99.map(Format.latency) ?? dash, 8, right: true), x: cx, y: y, maxWidth: end - cx)
        cx += 9
        if layout.why >= 8, let reason = health.reason {
            buffer.put(reason, x: cx + 1, y: y, role: symbol.role, maxWidth: end - cx - 1)
        }
    }

    /// "✖ drift", "▲ warn", "● ok", "○ few" (not enough data yet), "—" without a report.
    static func driftCell(_ verdict: DriftVerdict?) -> (text: String, role: Role) {
        guard let verdict else { return ("—", .muted) }
        let shown = HealthSymbol.of(verdict)
        return ("\(shown.symbol) \(verdict == .notEnoughData ? "few" : shown.word)", shown.role)
    }

    /// The overview's ROLLOUT cell: a running rollout, else a shadow set by hand ("◐ shadow 1.1.0"),
    /// else how the last rollout ended.
    static func rolloutCell(_ endpoint: EndpointStatus) -> (text: String, role: Role) {
        if endpoint.activeRollout == nil, let shadow = endpoint.deployment.routing.shadow {
            return ("◐ shadow \(shadow.version)", .canary)
        }
        return rolloutCell(endpoint.rollout, width: 0)
    }

    /// "▶ 2/5 20% → 1.1.0": the rollout's state by symbol and word, step and candidate;
    /// "◐ shadow 1.1.0" while the candidate only gets copies.
    static func rolloutCell(_ rollout: RolloutStatus?, width: Int) -> (text: String, role: Role) {
        guard let rollout else { return ("—", .muted) }
        let step = "\(rollout.stepIndex + 1)/\(rollout.plan.steps.count) \(rollout.shadowsCandidate ? "shadow" : "\(rollout.candidateWeight)%")"
        let failing = rollout.checks.contains { $0.verdict == .failing }
        switch rollout.state {
        case .progressing where rollout.shadowsCandidate:
            return ("◐ shadow \(rollout.candidate)", failing ? .critical : .canary)
        case .progressing:
            return ("▶ \(step) \(rollout.candidate)", failing ? .critical : .canary)
        case .paused: return ("‖ paused \(step)", .warn)
        case .promoted: return ("✔ promoted \(rollout.candidate)", .muted)
        case .aborted: return ("✖ aborted \(rollout.candidate)", .muted)
        case .rolledBack: return ("✖ rolled back \(rollout.candidate)", .critical)
        }
    }
}
