import Foundation

/// Something the operator must see: shown in a banner at the top until acknowledged with `a`.
public struct Alert: Sendable, Equatable {
    /// What raised it, so the same cause is not raised twice: "event:42" or "rule:fraud/error rate".
    public var key: String
    public var endpoint: String?
    public var text: String
    public var at: Date
    /// The cause, worded as a reason to give for acting on it ("rollout rule failing: …"); nil for
    /// an alert that reports a change already made (a rollback's text holds the reason given then,
    /// and quoting it in the next change's reason would nest them).
    public var reason: String?

    public init(key: String, endpoint: String?, text: String, at: Date, reason: String? = nil) {
        self.key = key
        self.endpoint = endpoint
        self.text = text
        self.at = at
        self.reason = reason
    }
}
