import Foundation
import NightjarCore

/// The registry's storage: model versions, their artifacts, and the audit log.
/// SQLite is the one-machine implementation; a PostgreSQL one will sit behind the same protocol.
public protocol RegistryStore: Sendable {
    /// Stores a version. The same ref with the same bytes again answers `created: false`; with other
    /// bytes it is refused, because versions are immutable.
    func push(_ ref: ModelRef, artifact: Data, schema: FeatureSchema?, actor: String) async throws -> PushResult
    /// Every model, names sorted, versions in semver order.
    func models() async throws -> [ModelSummary]
    func version(_ ref: ModelRef) async throws -> ModelVersionInfo
    /// A version's artifact bytes, verified against its recorded sha256.
    func artifact(_ ref: ModelRef) async throws -> Data
    /// Newest first.
    func auditLog(limit: Int) async throws -> [AuditEntry]
}

/// One change to the registry: who, when, what, from → to, why.
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
