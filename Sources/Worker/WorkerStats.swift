import Foundation
import NightjarCore
import Prometheus
import ServiceSupport

/// Everything a worker counts about its requests, exposed as JSON (`/v1/stats`) and Prometheus text (`/metrics`).
public final class WorkerStats: Sendable {
    public let model: ModelRef
    public let startedAt: Date
    let window: LatencyWindow
    let prometheus: PrometheusCollectorRegistry
    private let okCounter: Counter
    private let duration: DurationHistogram
    private let labels: [(String, String)]

    public init(model: ModelRef, windowSeconds: Int = 10, startedAt: Date = Date()) {
        self.model = model
        self.startedAt = startedAt
        self.window = LatencyWindow(windowSeconds: windowSeconds)
        let registry = PrometheusCollectorRegistry()
        self.prometheus = registry
        let labels = [("model", model.name), ("version", model.version.description)]
        self.labels = labels
        self.okCounter = registry.makeCounter(descriptor: WorkerStats.requestsDescriptor, labels: labels + [("status", "200")])
        self.duration = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "nightjar", subsystem: "worker", metricName: "request_duration", unitName: "seconds",
                helpText: "Time from receiving an inference request to having its answer"),
            labels: labels,
            buckets: [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
                      .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5)])
    }

    static var requestsDescriptor: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "nightjar", subsystem: "worker", metricName: "requests", unitName: "total",
        helpText: "Inference requests answered, by HTTP status") }

    /// Records one inference request that ended with `status`.
    public func record(status: Int, elapsed: Duration, at now: Date = Date()) {
        let micros = UInt64(max(0, elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000))
        window.record(latencyMicros: micros, failed: status >= 400, at: now)
        duration.record(elapsed)
        if status == 200 {
            okCounter.increment()
        } else {
            prometheus.makeCounter(descriptor: WorkerStats.requestsDescriptor, labels: labels + [("status", String(status))]).increment()
        }
    }

    public func snapshot(at now: Date = Date()) -> StatsSnapshot {
        let s = window.summary(at: now, since: startedAt)
        return StatsSnapshot(
            model: model,
            requestsTotal: s.requestsTotal,
            errorsTotal: s.errorsTotal,
            windowSeconds: s.coveredSeconds,
            requestsPerSecond: Double(s.windowRequests) / s.coveredSeconds,
            errorRate: s.windowRequests == 0 ? 0 : Double(s.windowErrors) / Double(s.windowRequests),
            latencyMs: s.latencyMs,
            uptimeSeconds: now.timeIntervalSince(startedAt)
        )
    }

    /// Prometheus text exposition format.
    public func prometheusText() -> String {
        prometheus.emitToString()
    }
}
