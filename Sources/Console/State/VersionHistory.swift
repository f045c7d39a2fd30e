import NightjarCore

/// The last five minutes of one version's gateway numbers, one sample per refresh, oldest first.
public struct VersionHistory: Sendable, Equatable {
    public static let length = 300

    public var requestsPerSecond: [Double] = []
    public var errorRate: [Double] = []
    public var p50: [Double] = []
    public var p95: [Double] = []
    public var p99: [Double] = []

    public init() {}

    public mutating func append(rate: Double, errorRate e: Double, p50 a: Double, p95 b: Double, p99 c: Double) {
        Self.push(&requestsPerSecond, rate)
        Self.push(&errorRate, e)
        Self.push(&p50, a)
        Self.push(&p95, b)
        Self.push(&p99, c)
    }

    private static func push(_ series: inout [Double], _ value: Double) {
        series.append(value)
        if series.count > length { series.removeFirst(series.count - length) }
    }

    /// The key a version's history is kept under: "fraud@1.1.0".
    public static func key(endpoint: String, version: SemVer) -> String { "\(endpoint)@\(version)" }
}
