import NightjarCore

/// How an endpoint routes beyond its split, one line each and only what is set: the shadow with
/// what comparing its answers has shown, then the sticky header and the header rules.
enum RoutingLines {
    /// Lines `render` draws for this endpoint: 0 when it has neither a shadow nor routing rules.
    static func count(_ endpoint: EndpointStatus) -> Int {
        let routing = endpoint.deployment.routing
        return (routing.shadow != nil || endpoint.shadow != nil ? 1 : 0)
            + (routing.sticky != nil || !routing.headerMatches.isEmpty ? 1 : 0)
    }

    static func render(_ endpoint: EndpointStatus, into buffer: inout CellBuffer, area: Rect) {
        var y = area.y
        let bottom = area.y + area.height
        let routing = endpoint.deployment.routing
        if y < bottom, routing.shadow != nil || endpoint.shadow != nil {
            shadow(endpoint, into: &buffer, x: area.x, y: y, width: area.width)
            y += 1
        }
        if y < bottom, routing.sticky != nil || !routing.headerMatches.isEmpty {
            routingLine(routing, into: &buffer, x: area.x, y: y, width: area.width)
        }
    }

    /// "◐ Shadow 1.1.0 mirrors 10% · ● agree 98.7% · |Δscore| 0.012 · p99 3.1 ms vs 2.4 ms · 1,234 compared".
    static func shadow(_ endpoint: EndpointStatus, into buffer: inout CellBuffer, x: Int, y: Int, width: Int) {
        let end = x + width
        var cx = x + 1
        let version = endpoint.deployment.routing.shadow?.version ?? endpoint.shadow?.version
        cx += buffer.put("◐ Shadow ", x: cx, y: y, role: .title, maxWidth: end - cx)
        cx += buffer.put(version.map { "\($0)" } ?? "", x: cx, y: y, role: .canary, maxWidth: end - cx)
        if let percent = endpoint.deployment.routing.shadow?.mirrorPercent {
            cx += buffer.put(" mirrors \(percent)%", x: cx, y: y, role: .muted, maxWidth: end - cx)
        }
        // Stats of an earlier shadow version say nothing about this one.
        guard let stats = endpoint.shadow, version == nil || stats.version == version else {
            buffer.put(" · no copies compared yet", x: cx, y: y, role: .muted, maxWidth: end - cx)
            return
        }
        let judged = verdict(stats, rules: limits(for: endpoint))
        let shown = HealthSymbol.of(judged)
        cx += buffer.put(" · ", x: cx, y: y, role: .muted, maxWidth: end - cx)
        let agreement = stats.hasComparisons ? Format.percent(stats.agreementRate) : "— (no comparison yet)"
        cx += buffer.put("\(shown.symbol) agree \(agreement)", x: cx, y: y, role: shown.role, maxWidth: end - cx)
        var parts = ["|Δscore| \(stats.hasComparisons ? DriftTable.value(stats.meanAbsoluteDifference) : "—")",
                     "p99 \(Format.latency(stats.shadowLatencyMs.p99)) ms vs \(Format.latency(stats.primaryLatencyMs.p99)) ms",
                     "\(grouped(stats.compared)) compared"]
        if stats.shadowErrors > 0 { parts.append("\(grouped(stats.shadowErrors)) failed") }
        if stats.dropped > 0 { parts.append("\(grouped(stats.dropped)) dropped") }
        // Whole figures or none: a number cut in half at the edge reads as another number.
        for part in parts where cx + 3 + part.count <= end {
            cx += buffer.put(" · ", x: cx, y: y, role: .muted, maxWidth: end - cx)
            cx += buffer.put(part, x: cx, y: y, role: .text, maxWidth: end - cx)
        }
    }

    /// "Routing sticky header:x-user-id · x-tenant=acme → 1.1.0".
    static func routingLine(_ routing: DeploymentRouting, into buffer: inout CellBuffer, x: Int, y: Int, width: Int) {
        let end = x + width
        var cx = x + 1
        cx += buffer.put("Routing ", x: cx, y: y, role: .title, maxWidth: end - cx)
        var parts: [(String, Role)] = []
        if let sticky = routing.sticky { parts.append(("sticky \(sticky.description)", .text)) }
        parts += routing.headerMatches.map { ("\($0.header)=\($0.value) → \($0.version)", .canary) }
        for (i, part) in parts.enumerated() where cx < end {
            if i > 0 { cx += buffer.put(" · ", x: cx, y: y, role: .muted, maxWidth: end - cx) }
            cx += buffer.put(part.0, x: cx, y: y, role: part.1, maxWidth: end - cx)
        }
    }

    /// The limits the shadow is held to: a shadowing rollout's own, else the defaults a rollout would use.
    static func limits(for endpoint: EndpointStatus) -> AnalysisRules {
        endpoint.activeRollout?.plan.rules ?? AnalysisRules()
    }

    /// Disagreeing labels or failing copies are critical, drifting scores a warning, too few
    /// comparisons no judgement: the same limits a shadowing rollout is judged on.
    static func verdict(_ stats: ShadowStats, rules: AnalysisRules) -> HealthVerdict {
        guard stats.compared >= rules.minimumShadowComparisons else { return .idle }
        let errorRate = Double(stats.shadowErrors) / Double(max(1, stats.mirrored))
        if stats.agreementRate < rules.minShadowAgreement || errorRate > rules.maxErrorRate { return .critical }
        if stats.meanAbsoluteDifference > rules.maxShadowScoreDifference { return .warn }
        return .ok
    }

    /// "1,234": counts with thousands separators, without a NumberFormatter per frame.
    static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }
}
