extension StatsSnapshot {
    /// Whether any request was answered in the window. Without one an error rate or a latency is
    /// not a measurement: a `0.0%` and `0.00 ms` would read as measured and healthy, so the console
    /// and `nightjar endpoints` show `—` for them (the request rate, a measured zero, still shows).
    public var hasRequestsInWindow: Bool { requestsPerSecond > 0 }
}

extension ShadowStats {
    /// Whether any pair of primary and shadow answers was compared. Before the first one the
    /// agreement and the score difference are not measurements: `agree 0.0%` would read as a
    /// shadow that disagrees on everything, `|Δscore| 0.000` as one that matches, so both show `—`.
    public var hasComparisons: Bool { compared > 0 }
}
