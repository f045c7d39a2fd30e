import Foundation

/// Latency percentiles in milliseconds over a window.
public struct LatencySummary: Sendable, Codable, Equatable {
    public var p50: Double
    public var p90: Double
    public var p95: Double
    public var p99: Double
    public var max: Double

    public init(p50: Double, p90: Double, p95: Double, p99: Double, max: Double) {
        self.p50 = p50
        self.p90 = p90
        self.p95 = p95
        self.p99 = p99
        self.max = max
    }

    public static let zero = LatencySummary(p50: 0, p90: 0, p95: 0, p99: 0, max: 0)
}

/// A worker's live numbers, as served on `GET /v1/stats`.
public struct StatsSnapshot: Sendable, Codable, Equatable {
    public var model: ModelRef
    /// Totals since the worker started.
    public var requestsTotal: Int
    public var errorsTotal: Int
    /// Over the last `windowSeconds`.
    public var windowSeconds: Double
    public var requestsPerSecond: Double
    public var errorRate: Double
    public var latencyMs: LatencySummary
    public var uptimeSeconds: Double

    public init(model: ModelRef, requestsTotal: Int, errorsTotal: Int, windowSeconds: Double,
                requestsPerSecond: Double, errorRate: Double, latencyMs: LatencySummary, uptimeSeconds: Double) {
        self.model = model
        self.requestsTotal = requestsTotal
        self.errorsTotal = errorsTotal
        self.windowSeconds = windowSeconds
        self.requestsPerSecond = requestsPerSecond
        self.errorRate = errorRate
        self.latencyMs = latencyMs
        self.uptimeSeconds = uptimeSeconds
    }
}
