import Foundation

/// What mirroring an endpoint's traffic to its shadow version has shown so far.
public struct ShadowStats: Sendable, Codable, Equatable {
    public var endpoint: String
    public var version: SemVer
    /// Copies sent to the shadow.
    public var mirrored: Int
    /// Copies not sent because too many were already in flight (mirroring never queues behind clients).
    public var dropped: Int
    /// Copies the shadow failed: unreachable, timed out, or an answer other than 200.
    public var shadowErrors: Int
    /// Pairs where both answered 200 with an OIP answer, and so could be compared.
    public var compared: Int
    /// Of the compared pairs, the share whose labels and other non-floating outputs were identical.
    public var agreementRate: Double
    /// Mean |primary - shadow| over every element of the floating outputs of the compared pairs.
    public var meanAbsoluteDifference: Double
    /// Latency of the shadow's answers, and of the primary's answers to the same requests.
    public var shadowLatencyMs: LatencySummary
    public var primaryLatencyMs: LatencySummary

    public init(endpoint: String, version: SemVer, mirrored: Int, dropped: Int, shadowErrors: Int, compared: Int,
                agreementRate: Double, meanAbsoluteDifference: Double, shadowLatencyMs: LatencySummary,
                primaryLatencyMs: LatencySummary) {
        self.endpoint = endpoint
        self.version = version
        self.mirrored = mirrored
        self.dropped = dropped
        self.shadowErrors = shadowErrors
        self.compared = compared
        self.agreementRate = agreementRate
        self.meanAbsoluteDifference = meanAbsoluteDifference
        self.shadowLatencyMs = shadowLatencyMs
        self.primaryLatencyMs = primaryLatencyMs
    }
}

extension ShadowStats {
    /// Several gateways' comparisons of one shadow version as one: counts add, agreement and the
    /// score difference are weighted by compared pairs, and each latency percentile is the highest
    /// gateway's (an upper bound of the merged percentile: no more than 1% of any gateway's answers
    /// are above its p99, so no more than 1% of all of them are above the highest). Nil for none.
    public static func merging(_ parts: [ShadowStats]) -> ShadowStats? {
        guard var merged = parts.first else { return nil }
        guard parts.count > 1 else { return merged }
        let compared = parts.reduce(0) { $0 + $1.compared }
        func weighted(_ value: (ShadowStats) -> Double) -> Double {
            compared == 0 ? 0 : parts.reduce(0) { $0 + value($1) * Double($1.compared) } / Double(compared)
        }
        func highest(_ latency: (ShadowStats) -> LatencySummary) -> LatencySummary {
            let all = parts.map(latency)
            return LatencySummary(p50: all.map(\.p50).max() ?? 0, p90: all.map(\.p90).max() ?? 0, p95: all.map(\.p95).max() ?? 0,
                                  p99: all.map(\.p99).max() ?? 0, max: all.map(\.max).max() ?? 0,
                                  p999: all.compactMap(\.p999).max())
        }
        merged.mirrored = parts.reduce(0) { $0 + $1.mirrored }
        merged.dropped = parts.reduce(0) { $0 + $1.dropped }
        merged.shadowErrors = parts.reduce(0) { $0 + $1.shadowErrors }
        merged.compared = compared
        merged.agreementRate = weighted(\.agreementRate)
        merged.meanAbsoluteDifference = weighted(\.meanAbsoluteDifference)
        merged.shadowLatencyMs = highest(\.shadowLatencyMs)
        merged.primaryLatencyMs = highest(\.primaryLatencyMs)
        return merged
    }
}
