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
    /// The worst drift verdict of the versions the drift view shows; nil when none has a report.
    /// Shown beside the health, never folded into it: drift is a reason to look, not an outage.
    public var drift: DriftVerdict?

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
            if stats.hasRequestsInWindow { p99 = max(p99 ?? 0, stats.latencyMs.p99) }
            let judged = limits.verdict(for: stats)
            if judged > verdict {
                verdict = judged
                if judged >= .warn { reason = Self.describe(v.version, stats, limits) }
            }
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
        drift = status.driftWatchedVersions.compactMap { $0.drift?.verdict }.max { $0.severity < $1.severity }
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

    /// The versions whose drift matters: those carrying traffic and the rollout's candidate (after a
    /// rollback it carries none, yet it is the version being judged), in the deployment's order;
    /// all of them when none qualifies.
    public var driftWatchedVersions: [VersionStatus] {
        let watched = versions.filter { $0.weight > 0 || $0.version == rollout?.candidate }
        return watched.isEmpty ? versions : watched
    }

    /// The rollout, when it is still running or paused.
    public var activeRollout: RolloutStatus? {
        guard let rollout, !rollout.state.isFinished else { return nil }
        return rollout
    }
}
