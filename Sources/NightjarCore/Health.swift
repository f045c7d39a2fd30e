/// How a version is doing, judged from its live stats. Worst sorts last.
public enum HealthVerdict: Int, Sendable, Comparable, Codable {
    case idle, ok, warn, critical

    public static func < (a: HealthVerdict, b: HealthVerdict) -> Bool { a.rawValue < b.rawValue }
}

/// Limits a version's live stats are held to.
public struct HealthLimits: Sendable, Equatable, Codable {
    public var warnErrorRate: Double
    public var criticalErrorRate: Double
    public var warnP99Ms: Double
    public var criticalP99Ms: Double
    /// Below this many requests in the window nothing is judged: a quiet minute is not an incident.
    public var minimumRequests: Int

    public init(warnErrorRate: Double = 0.01, criticalErrorRate: Double = 0.05,
                warnP99Ms: Double = 100, criticalP99Ms: Double = 500, minimumRequests: Int = 20) {
        self.warnErrorRate = warnErrorRate
        self.criticalErrorRate = criticalErrorRate
        self.warnP99Ms = warnP99Ms
        self.criticalP99Ms = criticalP99Ms
        self.minimumRequests = minimumRequests
    }

    public func verdict(for stats: StatsSnapshot) -> HealthVerdict {
        let windowRequests = Int((stats.requestsPerSecond * stats.windowSeconds).rounded())
        guard windowRequests >= minimumRequests else { return .idle }
        if stats.errorRate >= criticalErrorRate || stats.latencyMs.p99 >= criticalP99Ms { return .critical }
        if stats.errorRate >= warnErrorRate || stats.latencyMs.p99 >= warnP99Ms { return .warn }
        return .ok
    }
}
