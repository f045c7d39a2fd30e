import Foundation

/// How fresh one source of data is. A failed refresh keeps the last data on screen and marks its
/// panel "stale since …" while every other panel keeps updating.
public struct Feed: Sendable, Equatable {
    public var lastSuccess: Date?
    public var failure: String?
    /// When the current run of failures started; nil while refreshes succeed.
    public var failingSince: Date?

    public init() {}

    public mutating func succeeded(at date: Date) {
        lastSuccess = date
        failure = nil
        failingSince = nil
    }

    public mutating func failed(_ message: String, at date: Date) {
        failure = message
        if failingSince == nil { failingSince = date }
    }

    public var isStale: Bool { failure != nil }

    /// What a panel title says about it: nothing while fresh, "stale since 12:04:31" after a failure
    /// that followed good data, "unavailable" when nothing was ever read.
    public var staleNote: String? {
        guard failure != nil else { return nil }
        guard let lastSuccess else { return "unavailable" }
        return "stale since \(Format.clock(lastSuccess))"
    }
}
