import Foundation

/// Something the operator must see: shown in a banner at the top until acknowledged with `a`.
public struct Alert: Sendable, Equatable {
    /// What raised it, so the same cause is not raised twice: "event:42" or "rule:fraud/error rate".
    public var key: String
    public var endpoint: String?
    public var text: String
    public var at: Date

    public init(key: String, endpoint: String?, text: String, at: Date) {
        self.key = key
        self.endpoint = endpoint
        self.text = text
        self.at = at
    }
}
