import Foundation
import Histogram
import NightjarCore
import Synchronization

/// Request counts and an HDR latency histogram over a sliding window of whole seconds.
///
/// Each second has its own bucket; a snapshot merges the buckets still inside the window. Recording
/// costs one lock and one histogram increment, so it sits on the request path without showing up.
public final class LatencyWindow: Sendable {
    struct Bucket {
        var second: Int64
        var requests: Int = 0
        var errors: Int = 0
        var histogram: Histogram<UInt64>
    }

    struct State {
        var buckets: [Bucket]
        var requestsTotal = 0
        var errorsTotal = 0
    }

    /// Latencies are recorded in microseconds, from 1 µs to 60 s, to three significant digits.
    static func makeHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    }

    public let windowSeconds: Int
    private let state: Mutex<State>

    public init(windowSeconds: Int = 10) {
        self.windowSeconds = max(1, windowSeconds)
        let empty = (0..<self.windowSeconds).map { _ in Bucket(second: -1, histogram: LatencyWindow.makeHistogram()) }
        self.state = Mutex(State(buckets: empty))
    }

    /// Records one finished request.
    public func record(latencyMicros: UInt64, failed: Bool, at now: Date = Date()) {
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        let slot = Int(second % Int64(windowSeconds))
        state.withLock { s in
            if s.buckets[slot].second != second {
                s.buckets[slot].second = second
                s.buckets[slot].requests = 0
                s.buckets[slot].errors = 0
                s.buckets[slot].histogram.reset()
            }
            s.buckets[slot].requests += 1
            if failed {
                s.buckets[slot].errors += 1
                s.errorsTotal += 1
            }
            s.requestsTotal += 1
            _ = s.buckets[slot].histogram.record(min(latencyMicros, 60_000_000))
        }
    }

    public struct Summary: Sendable, Equatable {
        public var requestsTotal: Int
        public var errorsTotal: Int
        public var windowRequests: Int
        public var windowErrors: Int
        /// Seconds the window actually covers; shorter than `windowSeconds` just after start.
        public var coveredSeconds: Double
        public var latencyMs: LatencySummary
    }

    /// Totals, plus counts and percentiles over the complete seconds inside the window.
    /// The current, still-filling second is included in the percentiles but the rate is taken
    /// over the window's length so a partial second does not inflate it.
    public func summary(at now: Date = Date(), since start: Date) -> Summary {
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        let oldest = second - Int64(windowSeconds) + 1
        return state.withLock { s in
            var merged = LatencyWindow.makeHistogram()
            var requests = 0
            var errors = 0
            for bucket in s.buckets where bucket.second >= oldest && bucket.second <= second {
                requests += bucket.requests
                errors += bucket.errors
                merged.add(bucket.histogram)
            }
            let covered = min(Double(windowSeconds), max(now.timeIntervalSince(start), 1))
            return Summary(requestsTotal: s.requestsTotal, errorsTotal: s.errorsTotal, windowRequests: requests,
                           windowErrors: errors, coveredSeconds: covered, latencyMs: LatencyWindow.latencySummary(merged))
        }
    }

    /// The seconds still inside the window, with their histogram counts, to send elsewhere.
    public func export(at now: Date = Date()) -> WindowedLatencies {
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        let oldest = second - Int64(windowSeconds) + 1
        return state.withLock { s in
            let seconds = s.buckets.filter { $0.second >= oldest && $0.second <= second }.sorted { $0.second < $1.second }.map { bucket in
                var values: [UInt64] = []
                var counts: [UInt64] = []
                for recorded in bucket.histogram.recordedValues() {
                    values.append(recorded.value)
                    counts.append(recorded.count)
                }
                return WindowedLatencies.Second(second: bucket.second, requests: bucket.requests, errors: bucket.errors,
                                                latencyMicros: values, counts: counts)
            }
            return WindowedLatencies(windowSeconds: windowSeconds, requestsTotal: s.requestsTotal, errorsTotal: s.errorsTotal,
                                     seconds: seconds)
        }
    }

    /// What `summary` would say of one window holding every request of `windows` (several gateways'
    /// exports of the same version): counts add, percentiles are those of the merged histogram.
    /// Seconds outside this window's last `windowSeconds` are left out.
    public static func summary(of windows: [WindowedLatencies], windowSeconds: Int, at now: Date = Date(), since start: Date) -> Summary {
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        let oldest = second - Int64(windowSeconds) + 1
        var merged = makeHistogram()
        var requests = 0
        var errors = 0
        for window in windows {
            for bucket in window.seconds where bucket.second >= oldest && bucket.second <= second {
                requests += bucket.requests
                errors += bucket.errors
                for (value, count) in zip(bucket.latencyMicros, bucket.counts) {
                    _ = merged.record(min(value, 60_000_000), count: count)
                }
            }
        }
        let covered = min(Double(windowSeconds), max(now.timeIntervalSince(start), 1))
        return Summary(requestsTotal: windows.reduce(0) { $0 + $1.requestsTotal }, errorsTotal: windows.reduce(0) { $0 + $1.errorsTotal },
                       windowRequests: requests, windowErrors: errors, coveredSeconds: covered, latencyMs: latencySummary(merged))
    }

    static func latencySummary(_ histogram: Histogram<UInt64>) -> LatencySummary {
        guard histogram.totalCount > 0 else { return .zero }
        func ms(_ micros: UInt64) -> Double { Double(micros) / 1000 }
        return LatencySummary(
            p50: ms(histogram.valueAtPercentile(50)),
            p90: ms(histogram.valueAtPercentile(90)),
            p95: ms(histogram.valueAtPercentile(95)),
            p99: ms(histogram.valueAtPercentile(99)),
            max: ms(histogram.max),
            p999: ms(histogram.valueAtPercentile(99.9))
        )
    }
}

extension StatsSnapshot {
    /// A gateway's numbers for one version, in the shape workers report theirs.
    public init(gatewaySummary s: LatencyWindow.Summary, model: ModelRef, startedAt: Date, at now: Date) {
        self.init(model: model, requestsTotal: s.requestsTotal, errorsTotal: s.errorsTotal, windowSeconds: s.coveredSeconds,
                  requestsPerSecond: Double(s.windowRequests) / s.coveredSeconds,
                  errorRate: s.windowRequests == 0 ? 0 : Double(s.windowErrors) / Double(s.windowRequests),
                  latencyMs: s.latencyMs, uptimeSeconds: now.timeIntervalSince(startedAt))
    }
}
