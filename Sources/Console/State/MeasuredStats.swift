import NightjarCore

extension StatsSnapshot {
    /// Whether any request was answered in the window. Without one an error rate or a latency is
    /// not a measurement: a `0.0%` and `0.00 ms` would read as measured and healthy, so the console
    /// shows `—` for them (the request rate, a measured zero, still shows).
    var hasRequestsInWindow: Bool { requestsPerSecond > 0 }
}
