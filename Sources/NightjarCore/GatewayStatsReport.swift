import Foundation

/// What a standalone gateway replica saw, sent to its control plane every poll interval so that
/// rollout analysis and the console count every client, not only the embedded gateway's.
///
/// Latencies travel as the histogram counts of each second of the window, so the control plane
/// merges replicas exactly (a p99 of the union, not an average of p99s).
public struct GatewayStatsReport: Sendable, Codable, Equatable {
    /// One version of one endpoint, as this replica saw it.
    public struct Version: Sendable, Codable, Equatable {
        public var endpoint: String
        public var model: ModelRef
        /// When this replica first routed a request to the version.
        public var startedAt: Date
        public var window: WindowedLatencies

        public init(endpoint: String, model: ModelRef, startedAt: Date, window: WindowedLatencies) {
            self.endpoint = endpoint
            self.model = model
            self.startedAt = startedAt
            self.window = window
        }
    }

    /// The replica's own name, stable for its lifetime (host and port, or `--id`).
    public var gateway: String
    public var versions: [Version]
    /// Shadow comparisons of endpoints that have a shadow.
    public var shadows: [ShadowStats]

    public init(gateway: String, versions: [Version], shadows: [ShadowStats]) {
        self.gateway = gateway
        self.versions = versions
        self.shadows = shadows
    }
}

/// Request counts and latency histogram counts of each second of a sliding window: what a
/// `LatencyWindow` holds, in a form that crosses the wire and merges with others.
public struct WindowedLatencies: Sendable, Codable, Equatable {
    public struct Second: Sendable, Codable, Equatable {
        /// Unix time of the second.
        public var second: Int64
        public var requests: Int
        public var errors: Int
        /// Recorded latencies in microseconds, each with how many requests took it (same length).
        public var latencyMicros: [UInt64]
        public var counts: [UInt64]

        public init(second: Int64, requests: Int, errors: Int, latencyMicros: [UInt64], counts: [UInt64]) {
            self.second = second
            self.requests = requests
            self.errors = errors
            self.latencyMicros = latencyMicros
            self.counts = counts
        }
    }

    public var windowSeconds: Int
    public var requestsTotal: Int
    public var errorsTotal: Int
    public var seconds: [Second]

    public init(windowSeconds: Int, requestsTotal: Int, errorsTotal: Int, seconds: [Second]) {
        self.windowSeconds = windowSeconds
        self.requestsTotal = requestsTotal
        self.errorsTotal = errorsTotal
        self.seconds = seconds
    }
}

/// A gateway replica as the control plane last heard from it.
public struct GatewayReplicaInfo: Sendable, Codable, Equatable {
    public var id: String
    public var lastReportAt: Date
    /// Whether its numbers are in the analysis now (reported within the freshness limit).
    public var counted: Bool
    public var versions: Int
    public var requestsInWindow: Int

    public init(id: String, lastReportAt: Date, counted: Bool, versions: Int, requestsInWindow: Int) {
        self.id = id
        self.lastReportAt = lastReportAt
        self.counted = counted
        self.versions = versions
        self.requestsInWindow = requestsInWindow
    }
}
