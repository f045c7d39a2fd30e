import NightjarCore

/// One endpoint judged as a whole: the worst of its versions, a failing rollout rule, or traffic
/// sent to a version with no ready worker. What the overview sorts by, worst first.
public struct EndpointHealth: Sendable, Equatable {
    public var verdict: HealthVerdict
    /// Why, when it is not ok: "1.1.0 error rate 6.8%", "no ready worker for 1.1.0".
    public var reason: String?
    public var requestsPerSecond: Double
    public var errorRate: Double
    /// The worst p99 among versions with traffic.
    public var p99: Double?
    /// The worst drift verdict among the versions that have a report (those with traffic when any
    /// of them has one), and the column behind it: what the overview's drift badge shows.
    public var drift: DriftVerdict?
    public var driftReason: String?

    public init(_ status: EndpointStatus, limits: HealthLimits = HealthLimits()) {
        var verdict = HealthVerdict.idle
        var reason: String?
        var rate = 0.0
        var errors = 0.0
        var p99: Double?
        for v in status.versions {
            if v.weight > 0 && v.readyWorkers == 0 {
                verdict = .critical
                reason = reason ?? "no ready worker for \(v.version) (\(v.weight)% of traffic)"
            }
            guard let stats = v.stats else { continue }
            rate += stats.requestsPerSecond
            errors += stats.requestsPerSecond * stats.errorRate
            if stats.requestsPerSecond > 0 { p99 = max(p99 ?? 0, stats.latencyMs.p99) }
            let judged = limits.verdict(for: stats)
            if judged > verdict {
                verdict = judged
                if judged >= .warn { reason = Self.describe(v.version, stats, limits) }
            }
        }
        let drifted = Self.worstDrift(status)
        if let drifted, drifted.verdict == .drift, verdict < .warn {
            verdict = .warn
            reason = drifted.reason
        }
        if let rollout = status.rollout, !rollout.state.isFinished,
           let failing = rollout.checks.first(where: { $0.verdict == .failing }) {
            if verdict < .critical { reason = "rollout rule failing: \(failing.rule)" }
            verdict = .critical
        }
        self.verdict = verdict
        self.reason = reason
        requestsPerSecond = rate
        errorRate = rate > 0 ? errors / rate : 0
        self.p99 = p99
        drift = drifted?.verdict
        driftReason = drifted?.reason
    }

    /// A drifting input is a reason to look even when every request succeeds, so it ranks an
    /// endpoint as warn; versions without traffic count only when none with traffic has a report.
    private static func worstDrift(_ status: EndpointStatus) -> (verdict: DriftVerdict, reason: String?)? {
        let serving = status.versions.filter { $0.weight > 0 && $0.drift != nil }
        let candidates = serving.isEmpty ? status.versions.filter { $0.drift != nil } : serving
        guard let worst = candidates.max(by: { ($0.drift?.verdict.severity ?? 0) < ($1.drift?.verdict.severity ?? 0) }),
              let report = worst.drift else { return nil }
        let column = report.columns.first
        let reason = column.map { column in
            let psi = column.statistics.psi.map { " PSI \(Format.fixed($0, decimals: 2))" } ?? ""
            return "\(worst.version) \(column.name) \(column.verdict == .drift ? "drift" : "warn")\(psi.isEmpty ? "" : ",")\(psi)"
        }
        return (report.verdict, report.verdict.severity >= DriftVerdict.warn.severity ? reason : nil)
    }

    private static func describe(_ version: SemVer, _ stats: StatsSnapshot, _ limits: HealthLimits) -> String {
        if stats.errorRate >= limits.warnErrorRate {
            return "\(version) error rate \(Format.percent(stats.errorRate))"
        }
        return "\(version) p99 \(Format.latency(stats.latencyMs.p99)) ms"
    }
}

extension EndpointStatus {
    /// The version traffic goes back to: the rollout's stable one, else the one with the most traffic.
    public var stableVersion: SemVer? { rollout?.stable ?? deployment.primary }

    /// The split after a rollback: everything on the stable version, every other version kept at 0.
    public var rollbackWeights: [TrafficWeight]? {
        guard let stable = stableVersion else { return nil }
        var weights = deployment.weights.map { TrafficWeight(version: $0.version, weight: $0.version == stable ? 100 : 0) }
        if !weights.contains(where: { $0.version == stable }) { weights.append(TrafficWeight(version: stable, weight: 100)) }
        return weights
    }

    /// The rollout, when it is still running or paused.
    public var activeRollout: RolloutStatus? {
        guard let rollout, !rollout.state.isFinished else { return nil }
        return rollout
    }
}
