import Histogram
import NightjarCore
import ServiceSupport

/// What the worker saw in one slice of time: requests by outcome, rows, end-to-end and engine
/// latency histograms, and how many rows each engine call merged.
struct ServingSlice: WindowSlice {
    var requests = 0
    var errors = 0
    var rows = 0
    var errorsByStatus: [Int: Int] = [:]
    var batchSizes: [Int: Int] = [:]
    /// Microseconds from receiving a request to having its answer.
    var latency = ServingSlice.makeHistogram()
    /// Microseconds per engine call.
    var engine = ServingSlice.makeHistogram()

    /// Three significant digits, growing to the largest value seen so an idle slice stays small.
    static func makeHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    }

    /// Values above this are recorded as this: a minute is already far past any timeout.
    static let largestMicros: UInt64 = 60_000_000

    mutating func merge(_ other: ServingSlice) {
        requests += other.requests
        errors += other.errors
        rows += other.rows
        errorsByStatus.merge(other.errorsByStatus, uniquingKeysWith: +)
        batchSizes.merge(other.batchSizes, uniquingKeysWith: +)
        latency.add(other.latency)
        engine.add(other.engine)
    }

    mutating func recordRequest(status: Int, rows: Int, micros: UInt64) {
        requests += 1
        self.rows += rows
        if status >= 400 {
            errors += 1
            errorsByStatus[status, default: 0] += 1
        }
        _ = latency.record(min(micros, Self.largestMicros))
    }

    mutating func recordEngineCall(rows: Int, micros: UInt64) {
        batchSizes[rows, default: 0] += 1
        _ = engine.record(min(micros, Self.largestMicros))
    }
}

extension Histogram where Count == UInt64 {
    /// Percentiles in milliseconds of a histogram of microseconds.
    var millisecondSummary: LatencySummary {
        guard totalCount > 0 else { return .zero }
        func ms(_ micros: UInt64) -> Double { Double(micros) / 1000 }
        return LatencySummary(
            p50: ms(valueAtPercentile(50)), p90: ms(valueAtPercentile(90)), p95: ms(valueAtPercentile(95)),
            p99: ms(valueAtPercentile(99)), max: ms(max), p999: ms(valueAtPercentile(99.9)))
    }
}
