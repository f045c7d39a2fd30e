import NightjarCore

/// Judges a candidate version against the stable one from their live stats, the check a rollout
/// makes every second. Pure: stats in, decision out.
public struct CanaryAnalysis: Sendable, Equatable {
    public enum Decision: Sendable, Equatable {
        /// Too few candidate requests in the window to judge; a quiet minute is not an incident.
        case notEnoughData(requests: Int, needed: Int)
        case healthy
        /// The named rule failed, with the measured value and the threshold it crossed.
        case rollback(rule: String, measured: Double, threshold: Double)
    }

    /// Candidate error rate above this fails outright, whatever the stable version does.
    public var maxErrorRate: Double
    /// Candidate error rate may exceed stable's by at most this many points.
    public var maxErrorRateIncrease: Double
    /// Candidate p99 may be at most this multiple of stable's p99 (plus `latencySlackMs`).
    public var maxP99Ratio: Double
    public var latencySlackMs: Double
    public var minimumRequests: Int

    public init(maxErrorRate: Double = 0.05, maxErrorRateIncrease: Double = 0.02, maxP99Ratio: Double = 1.5,
                latencySlackMs: Double = 5, minimumRequests: Int = 50) {
        self.maxErrorRate = maxErrorRate
        self.maxErrorRateIncrease = maxErrorRateIncrease
        self.maxP99Ratio = maxP99Ratio
        self.latencySlackMs = latencySlackMs
        self.minimumRequests = minimumRequests
    }

    public func evaluate(stable: StatsSnapshot?, candidate: StatsSnapshot) -> Decision {
        let requests = Int((candidate.requestsPerSecond * candidate.windowSeconds).rounded())
        guard requests >= minimumRequests else { return .notEnoughData(requests: requests, needed: minimumRequests) }
        if candidate.errorRate > maxErrorRate {
            return .rollback(rule: "error rate", measured: candidate.errorRate, threshold: maxErrorRate)
        }
        guard let stable else { return .healthy }
        let errorLimit = stable.errorRate + maxErrorRateIncrease
        if candidate.errorRate > errorLimit {
            return .rollback(rule: "error rate versus stable", measured: candidate.errorRate, threshold: errorLimit)
        }
        let latencyLimit = stable.latencyMs.p99 * maxP99Ratio + latencySlackMs
        if stable.latencyMs.p99 > 0, candidate.latencyMs.p99 > latencyLimit {
            return .rollback(rule: "p99 latency versus stable", measured: candidate.latencyMs.p99, threshold: latencyLimit)
        }
        return .healthy
    }
}
