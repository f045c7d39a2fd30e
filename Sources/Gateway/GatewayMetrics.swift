import Foundation
import NightjarCore
import Synchronization

/// Prometheus counters and a latency histogram for everything the gateway answers, written out in
/// the text exposition format by hand (the Gateway target stays free of a metrics dependency).
final class GatewayMetrics: Sendable {
    /// Keyed by the version itself, not its text: formatting a version and hashing the string cost
    /// every prediction an allocation; the text is made when `/metrics` is read.
    struct Series: Hashable, Sendable, Comparable {
        var endpoint: String
        /// Nil when the gateway refused the request before choosing a version.
        var version: SemVer?

        static func < (a: Series, b: Series) -> Bool {
            if a.endpoint != b.endpoint { return a.endpoint < b.endpoint }
            switch (a.version, b.version) {
            case let (x?, y?): return x < y
            case (nil, _?): return true
            default: return false
            }
        }
    }

    struct Histogram: Sendable {
        var buckets: [Int]
        var sumSeconds = 0.0
        var count = 0

        mutating func record(seconds: Double, bucket: Int?) {
            if let bucket { buckets[bucket] += 1 }
            sumSeconds += seconds
            count += 1
        }
    }

    private struct State: Sendable {
        var requests: [Series: [Int: Int]] = [:]
        var latency: [Series: Histogram] = [:]
        var retries = 0
        var ejections = 0
    }

    /// Upper bounds in seconds, the same as the worker's so the two histograms line up.
    static let bucketBounds: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private let state = Mutex(State())

    /// `version` is nil when the gateway refused the request before choosing one.
    func record(endpoint: String, version: SemVer?, status: Int, latencyMicros: UInt64) {
        let series = Series(endpoint: endpoint, version: version)
        let seconds = Double(latencyMicros) / 1_000_000
        let bucket = Self.bucketBounds.firstIndex(where: { seconds <= $0 })
        state.withLock { s in
            s.requests[series, default: [:]][status, default: 0] += 1
            // Updated in place: a copy taken out of the dictionary would copy its bucket array on every request.
            s.latency[series, default: Histogram(buckets: Array(repeating: 0, count: Self.bucketBounds.count))]
                .record(seconds: seconds, bucket: bucket)
        }
    }

    func recordRetry() { state.withLock { $0.retries += 1 } }
    func recordEjection() { state.withLock { $0.ejections += 1 } }

    func text(ejectedNow: Int) -> String {
        let s = state.withLock { $0 }
        var out = ""
        out += "# HELP nightjar_gateway_requests_total Requests answered by the gateway, by endpoint, version and status\n"
        out += "# TYPE nightjar_gateway_requests_total counter\n"
        for series in s.requests.keys.sorted() {
            for (status, count) in (s.requests[series] ?? [:]).sorted(by: { $0.key < $1.key }) {
                out += "nightjar_gateway_requests_total{\(labels(series)),status=\"\(status)\"} \(count)\n"
            }
        }
        out += "# HELP nightjar_gateway_request_duration_seconds Time from receiving a request to having its answer, as the client saw it\n"
        out += "# TYPE nightjar_gateway_request_duration_seconds histogram\n"
        for series in s.latency.keys.sorted() {
            guard let h = s.latency[series] else { continue }
            var cumulative = 0
            for (bound, count) in zip(Self.bucketBounds, h.buckets) {
                cumulative += count
                out += "nightjar_gateway_request_duration_seconds_bucket{\(labels(series)),le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "nightjar_gateway_request_duration_seconds_bucket{\(labels(series)),le=\"+Inf\"} \(h.count)\n"
            out += "nightjar_gateway_request_duration_seconds_sum{\(labels(series))} \(h.sumSeconds)\n"
            out += "nightjar_gateway_request_duration_seconds_count{\(labels(series))} \(h.count)\n"
        }
        out += "# HELP nightjar_gateway_retries_total Requests sent a second time after a connection failure\n"
        out += "# TYPE nightjar_gateway_retries_total counter\n"
        out += "nightjar_gateway_retries_total \(s.retries)\n"
        out += "# HELP nightjar_gateway_ejections_total Workers ejected as outliers\n"
        out += "# TYPE nightjar_gateway_ejections_total counter\n"
        out += "nightjar_gateway_ejections_total \(s.ejections)\n"
        out += "# HELP nightjar_gateway_ejected_workers Workers currently ejected\n"
        out += "# TYPE nightjar_gateway_ejected_workers gauge\n"
        out += "nightjar_gateway_ejected_workers \(ejectedNow)\n"
        return out
    }

    private func labels(_ series: Series) -> String {
        "endpoint=\"\(escape(series.endpoint))\",version=\"\(series.version?.description ?? "")\""
    }

    /// Label values escape backslash, double quote and newline, as the exposition format requires.
    private func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
