import Foundation

/// Latency percentiles in milliseconds over a window.
public struct LatencySummary: Sendable, Codable, Equatable {
    public var p50: Double
    public var p90: Double
    public var p95: Double
    public var p99: Double
    public var max: Double
    /// The 99.9th percentile; absent in answers of older workers.
    public var p999: Double?

    public init(p50: Double, p90: Double, p95: Double, p99: Double, max: Double, p999: Double? = nil) {
        self.p50 = p50
        self.p90 = p90
        self.p95 = p95
        self.p99 = p99
        self.max = max
        self.p999 = p999
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

    // Added later; optional so answers of older workers still decode.
    /// Rows inferred since start (a request may carry many rows).
    public var rowsTotal: Int?
    /// The same numbers over several sliding windows (10 s, 1 min, 5 min), shortest first.
    public var windows: [WindowStats]?
    /// Error answers since start, keyed by HTTP status ("400", "500", "503").
    public var errorsByStatus: [String: Int]?
    /// Requests waiting for the batcher right now.
    public var queueDepth: Int?
    /// Engine calls since start, keyed by the number of rows merged into the call.
    public var batchSizes: [String: Int]?
    /// CPU time and memory of the worker process.
    public var process: ProcessStats?
    /// Whether the worker answers ready: model loaded and warm-up inference passed, not draining.
    public var ready: Bool?
    /// The prediction log's counts, when the worker writes one.
    public var predictionLog: PredictionLogStats?

    public init(model: ModelRef, requestsTotal: Int, errorsTotal: Int, windowSeconds: Double,
                requestsPerSecond: Double, errorRate: Double, latencyMs: LatencySummary, uptimeSeconds: Double,
                rowsTotal: Int? = nil, windows: [WindowStats]? = nil, errorsByStatus: [String: Int]? = nil,
                queueDepth: Int? = nil, batchSizes: [String: Int]? = nil, process: ProcessStats? = nil,
                ready: Bool? = nil, predictionLog: PredictionLogStats? = nil) {
        self.model = model
        self.requestsTotal = requestsTotal
        self.errorsTotal = errorsTotal
        self.windowSeconds = windowSeconds
        self.requestsPerSecond = requestsPerSecond
        self.errorRate = errorRate
        self.latencyMs = latencyMs
        self.uptimeSeconds = uptimeSeconds
        self.rowsTotal = rowsTotal
        self.windows = windows
        self.errorsByStatus = errorsByStatus
        self.queueDepth = queueDepth
        self.batchSizes = batchSizes
        self.process = process
        self.ready = ready
        self.predictionLog = predictionLog
    }
}

/// A worker's numbers over one sliding window.
public struct WindowStats: Sendable, Codable, Equatable {
    /// The window's nominal length: 10, 60 or 300.
    public var seconds: Int
    /// Seconds it actually covers; shorter just after start.
    public var coveredSeconds: Double
    public var requests: Int
    public var errors: Int
    public var rows: Int
    public var requestsPerSecond: Double
    public var rowsPerSecond: Double
    public var errorRate: Double
    /// From receiving a request to having its answer.
    public var latencyMs: LatencySummary
    /// Engine calls only (one call may serve several merged requests).
    public var engineLatencyMs: LatencySummary
    public var errorsByStatus: [String: Int]
    /// Engine calls keyed by the number of rows merged into the call.
    public var batchSizes: [String: Int]

    public init(seconds: Int, coveredSeconds: Double, requests: Int, errors: Int, rows: Int,
                requestsPerSecond: Double, rowsPerSecond: Double, errorRate: Double,
                latencyMs: LatencySummary, engineLatencyMs: LatencySummary,
                errorsByStatus: [String: Int], batchSizes: [String: Int]) {
        self.seconds = seconds
        self.coveredSeconds = coveredSeconds
        self.requests = requests
        self.errors = errors
        self.rows = rows
        self.requestsPerSecond = requestsPerSecond
        self.rowsPerSecond = rowsPerSecond
        self.errorRate = errorRate
        self.latencyMs = latencyMs
        self.engineLatencyMs = engineLatencyMs
        self.errorsByStatus = errorsByStatus
        self.batchSizes = batchSizes
    }
}

/// CPU and memory of a process, read from `/proc/self` on Linux.
public struct ProcessStats: Sendable, Codable, Equatable {
    /// User plus system CPU time since the process started.
    public var cpuSeconds: Double
    public var residentMemoryBytes: Int
    public var threads: Int?

    public init(cpuSeconds: Double, residentMemoryBytes: Int, threads: Int? = nil) {
        self.cpuSeconds = cpuSeconds
        self.residentMemoryBytes = residentMemoryBytes
        self.threads = threads
    }
}

/// What a worker's prediction log did since start.
public struct PredictionLogStats: Sendable, Codable, Equatable {
    public var written: Int
    /// Sampled predictions not logged because the writer could not keep up.
    public var dropped: Int
    /// Predictions lost because the file could not be written.
    public var writeErrors: Int

    public init(written: Int, dropped: Int, writeErrors: Int) {
        self.written = written
        self.dropped = dropped
        self.writeErrors = writeErrors
    }
}
