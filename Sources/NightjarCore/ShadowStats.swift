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
