import Foundation
import NightjarCore
import Prometheus
import ServiceSupport
import Synchronization

/// Everything a worker counts about its requests, exposed as JSON (`/v1/stats`) and Prometheus text (`/metrics`).
///
/// Live numbers come from sliding windows of 10 s, 1 min and 5 min, each a ring of slices holding HDR
/// histograms; the 10 s window also fills the snapshot's original top-level fields, which the console,
/// the gateway and the rollout analysis read.
public final class WorkerStats: Sendable {
    public let model: ModelRef
    public let startedAt: Date

    /// (window length, slice width) in seconds. Longer windows use wider slices so a 5 min window
    /// merges 30 slices, not 300.
    static let windowShapes: [(seconds: Int, slice: Int)] = [(10, 1), (60, 5), (300, 10)]

    struct State {
        var windows: [SlidingWindow<ServingSlice>]
        /// The second being recorded (`Int64.min`: none), folded into every window once the clock
        /// moves past it, so a request records into one slice instead of one per window.
        var currentSecond = Int64.min
        var current = ServingSlice()
        var requestsTotal = 0
        var errorsTotal = 0
        var rowsTotal = 0
        var errorsByStatus: [Int: Int] = [:]
        var batchSizes: [Int: Int] = [:]
        var queueDepth = 0
        var reportedCPUSeconds = 0.0
    }

    private let state: Mutex<State>
    let prometheus: PrometheusCollectorRegistry
    private let labels: [(String, String)]
    private let okCounter: Counter
    private let rowsCounter: Counter
    private let duration: DurationHistogram
    private let engineDuration: DurationHistogram
    private let batchRows: ValueHistogram
    private let queueGauge: Gauge
    private let readyGauge: Gauge
    private let cpuCounter: Counter
    private let residentGauge: Gauge
    private let startGauge: Gauge

    public init(model: ModelRef, startedAt: Date = Date()) {
        self.model = model
        self.startedAt = startedAt
        self.state = Mutex(State(windows: WorkerStats.windowShapes.map { SlidingWindow(windowSeconds: $0.seconds, sliceSeconds: $0.slice) }))
        let registry = PrometheusCollectorRegistry()
        self.prometheus = registry
        let labels = [("model", model.name), ("version", model.version.description)]
        self.labels = labels
        let latencyBuckets: [Duration] = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
            .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5)]
        self.okCounter = registry.makeCounter(descriptor: WorkerStats.requestsDescriptor, labels: labels + [("status", "200")])
        self.rowsCounter = registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "nightjar", subsystem: "worker", metricName: "rows", unitName: "total",
                                             helpText: "Rows inferred; one request may carry many rows"),
            labels: labels)
        self.duration = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "nightjar", subsystem: "worker", metricName: "request_duration", unitName: "seconds",
                helpText: "Time from receiving an inference request to having its answer"),
            labels: labels, buckets: latencyBuckets)
        self.engineDuration = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "nightjar", subsystem: "worker", metricName: "engine_duration", unitName: "seconds",
                helpText: "Time of one engine call, which may serve several merged requests"),
            labels: labels, buckets: latencyBuckets)
        self.batchRows = registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(namespace: "nightjar", subsystem: "worker", metricName: "batch_rows",
                                             helpText: "Rows merged into one engine call"),
            labels: labels, buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024])
        self.queueGauge = registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "nightjar", subsystem: "worker", metricName: "queue_depth",
                                             helpText: "Requests waiting for the batcher"),
            labels: labels)
        self.readyGauge = registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "nightjar", subsystem: "worker", metricName: "ready",
                                             helpText: "1 when the model is loaded, warmed up and not draining"),
            labels: labels)
        self.cpuCounter = registry.makeCounter(name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.")
        self.residentGauge = registry.makeGauge(name: "process_resident_memory_bytes", help: "Resident memory size in bytes.")
        self.startGauge = registry.makeGauge(name: "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.")
        startGauge.set(to: startedAt.timeIntervalSince1970)
    }

    static var requestsDescriptor: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "nightjar", subsystem: "worker", metricName: "requests", unitName: "total",
        helpText: "Inference requests answered, by HTTP status") }

    static func micros(_ d: Duration) -> UInt64 {
        UInt64(max(0, d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000))
    }

    /// Records one inference request that ended with `status`, carrying `rows` rows (0 when it was refused).
    public func record(status: Int, elapsed: Duration, rows: Int = 0, at now: Date = Date()) {
        let micros = Self.micros(elapsed)
        state.withLock { s in
            s.update(at: now) { $0.recordRequest(status: status, rows: rows, micros: micros) }
            s.requestsTotal += 1
            s.rowsTotal += rows
            if status >= 400 {
                s.errorsTotal += 1
                s.errorsByStatus[status, default: 0] += 1
            }
        }
        duration.record(elapsed)
        if rows > 0 { rowsCounter.increment(by: Int64(rows)) }
        if status == 200 {
            okCounter.increment()
        } else {
            prometheus.makeCounter(descriptor: WorkerStats.requestsDescriptor, labels: labels + [("status", String(status))]).increment()
        }
    }

    /// Records one engine call that merged `rows` rows.
    public func recordEngineCall(rows: Int, elapsed: Duration, at now: Date = Date()) {
        let micros = Self.micros(elapsed)
        state.withLock { s in
            s.update(at: now) { $0.recordEngineCall(rows: rows, micros: micros) }
            s.batchSizes[rows, default: 0] += 1
        }
        engineDuration.record(elapsed)
        batchRows.record(Double(rows))
    }

    /// The batcher reports how many requests wait.
    public func setQueueDepth(_ depth: Int) {
        state.withLock { $0.queueDepth = depth }
    }

    public func snapshot(at now: Date = Date(), ready: Bool? = nil, process: ProcessStats? = nil,
                         predictionLog: PredictionLogStats? = nil) -> StatsSnapshot {
        // Copied under the lock (copy-on-write, so cheap) and merged outside it, so a stats poll never
        // holds up requests while histograms merge.
        var s = state.withLock { $0 }
        s.foldCurrent()
        let windows = s.windows.map { w in (w.windowSeconds, w.coveredSeconds(at: now, since: startedAt), w.merged(at: now)) }
        let stats = windows.map { seconds, covered, slice in
            WindowStats(
                seconds: seconds, coveredSeconds: covered, requests: slice.requests, errors: slice.errors, rows: slice.rows,
                requestsPerSecond: Double(slice.requests) / covered, rowsPerSecond: Double(slice.rows) / covered,
                errorRate: slice.requests == 0 ? 0 : Double(slice.errors) / Double(slice.requests),
                latencyMs: slice.latency.millisecondSummary, engineLatencyMs: slice.engine.millisecondSummary,
                errorsByStatus: Self.keyed(slice.errorsByStatus), batchSizes: Self.keyed(slice.batchSizes))
        }
        // The original top-level fields keep their meaning: the 10 s window.
        let short = stats[0]
        return StatsSnapshot(
            model: model, requestsTotal: s.requestsTotal, errorsTotal: s.errorsTotal,
            windowSeconds: short.coveredSeconds, requestsPerSecond: short.requestsPerSecond,
            errorRate: short.errorRate, latencyMs: short.latencyMs,
            uptimeSeconds: now.timeIntervalSince(startedAt),
            rowsTotal: s.rowsTotal, windows: stats, errorsByStatus: Self.keyed(s.errorsByStatus),
            queueDepth: s.queueDepth, batchSizes: Self.keyed(s.batchSizes), process: process, ready: ready,
            predictionLog: predictionLog)
    }

    static func keyed(_ counts: [Int: Int]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: counts.map { (String($0.key), $0.value) })
    }

    /// Prometheus text exposition format. Gauges read at scrape time (queue, readiness, process) are
    /// brought up to date first.
    public func prometheusText(ready: Bool, process: ProcessStats?) -> String {
        let (depth, cpuDelta) = state.withLock { s -> (Int, Double) in
            var delta = 0.0
            if let process, process.cpuSeconds > s.reportedCPUSeconds {
                delta = process.cpuSeconds - s.reportedCPUSeconds
                s.reportedCPUSeconds = process.cpuSeconds
            }
            return (s.queueDepth, delta)
        }
        queueGauge.set(to: Double(depth))
        readyGauge.set(to: ready ? 1 : 0)
        if cpuDelta > 0 { cpuCounter.increment(by: cpuDelta) }
        if let process { residentGauge.set(to: Double(process.residentMemoryBytes)) }
        return prometheus.emitToString()
    }
}

extension WorkerStats.State {
    /// Records into the slice of `now`'s second: the pending one, or, for a time before it, straight
    /// into the windows (as a caller with its own clock may do).
    mutating func update(at now: Date, _ body: (inout ServingSlice) -> Void) {
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        if second == currentSecond {
            body(&current)
        } else if second < currentSecond {
            for i in windows.indices { windows[i].update(at: now, body) }
        } else {
            foldCurrent()
            currentSecond = second
            current = ServingSlice()
            body(&current)
        }
    }

    /// Moves the pending second into every window.
    mutating func foldCurrent() {
        guard currentSecond != .min else { return }
        let at = Date(timeIntervalSince1970: Double(currentSecond))
        for i in windows.indices { windows[i].update(at: at) { $0.merge(current) } }
        currentSecond = .min
    }
}
