import Foundation

/// One change to the control plane: who, when, what, from → to, why.
public struct AuditEntry: Sendable, Codable, Equatable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var subject: String
    public var from: String?
    public var to: String?
    public var reason: String?

    public init(id: Int64, at: Date, actor: String, action: String, subject: String, from: String?, to: String?, reason: String?) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.from = from
        self.to = to
        self.reason = reason
    }
}
