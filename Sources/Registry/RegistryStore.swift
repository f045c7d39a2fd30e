import Foundation
import NightjarCore

/// The registry's storage: model versions, their artifacts, and the audit log.
/// SQLite is the one-machine implementation; a PostgreSQL one will sit behind the same protocol.
public protocol RegistryStore: DeploymentStore, TokenStore {
    /// Stores a version. The same ref with the same bytes again answers `created: false`; with other
    /// bytes it is refused, because versions are immutable.
    func push(_ ref: ModelRef, artifact: Data, schema: FeatureSchema?, metadata: VersionMetadata, actor: String) async throws -> PushResult
    /// Every model, names sorted, versions in semver order.
    func models() async throws -> [ModelSummary]
    func version(_ ref: ModelRef) async throws -> ModelVersionInfo
    /// A version's artifact bytes, verified against its recorded sha256.
    func artifact(_ ref: ModelRef) async throws -> Data
    /// Newest first.
    func auditLog(limit: Int) async throws -> [AuditEntry]
    /// Points an alias at a version; `production` needs the version to be at `staging` first, and
    /// `staging`/`production` need the version's metric gates to pass, unless `force`. Audited, with an event.
    func setAlias(model: String, alias: String, to version: SemVer, force: Bool, actor: String, reason: String) async throws -> ModelVersionInfo
    func removeAlias(model: String, alias: String, actor: String, reason: String) async throws
    /// Changes a version's description or tags (the only editable fields). Audited.
    func edit(_ ref: ModelRef, _ edit: VersionEdit, actor: String) async throws -> ModelVersionInfo
    /// Stores a version's reference profile (JSON of `Drift.ReferenceProfile`). Like the bytes, it is
    /// set once: the same profile again is a no-op, another one a conflict.
    func setReference(_ ref: ModelRef, profileJSON: Data, actor: String) async throws
    /// The version's reference profile JSON, nil when none was stored.
    func reference(_ ref: ModelRef) async throws -> Data?
    /// Deletes artifact files no version references (and older than `minimumAge`, so a push in flight
    /// keeps its file). Returns the removed digests.
    func collectGarbage(minimumAge: TimeInterval) async throws -> [String]
}

extension RegistryStore {
    public func push(_ ref: ModelRef, artifact: Data, schema: FeatureSchema?, actor: String) async throws -> PushResult {
        try await push(ref, artifact: artifact, schema: schema, metadata: VersionMetadata(), actor: actor)
    }
}

/// Endpoints, their traffic splits, rollouts and the event timeline: what the console steers.
/// Every change is one transaction that also writes its audit row and its event.
public protocol DeploymentStore: Sendable {
    /// Every endpoint's deployment, by endpoint name.
    func deployments() async throws -> [Deployment]
    /// Throws `notFound` naming the known endpoints when there is no such endpoint.
    func deployment(_ endpoint: String) async throws -> Deployment
    /// Applies a change atomically: the new split and routing settings (validated; every version they
    /// name must exist), the rollout
    /// record, one audit row and one event. A stale `expectedRevision` is refused with `conflict`.
    func apply(_ change: EndpointChange) async throws -> EndpointChangeResult
    /// The newest rollout of each endpoint, finished or not.
    func rollouts() async throws -> [RolloutStatus]
    /// An event that changes nothing stored (a worker joined or went quiet).
    func recordEvent(kind: ControlEvent.Kind, endpoint: String?, actor: String, message: String) async throws -> ControlEvent
    /// Events with an id above `after`, oldest first.
    func events(after: Int64, limit: Int) async throws -> [ControlEvent]
    /// The newest `limit` events, oldest first: where a timeline starts without reading the whole log.
    func newestEvents(limit: Int) async throws -> [ControlEvent]
}

/// One audited change to an endpoint. `weights` nil leaves the split as it is, `routing` nil the
/// routing settings.
public struct EndpointChange: Sendable {
    public enum RolloutWrite: Sendable {
        case unchanged
        /// A new rollout; refused if the endpoint has one that has not finished.
        case start(RolloutStatus)
        /// The endpoint's current rollout moves on (step, pause, end).
        case update(RolloutStatus)
    }

    public var endpoint: String
    /// The model serving the endpoint; used when the change creates it.
    public var model: String?
    public var weights: [TrafficWeight]?
    public var routing: DeploymentRouting?
    public var expectedRevision: Int?
    public var rollout: RolloutWrite
    public var actor: String
    /// The audit log's action, e.g. `traffic`, `rollback`, `rollout.start`.
    public var action: String
    public var reason: String?
    public var eventKind: ControlEvent.Kind
    /// The event's line; when nil, the split change is described ("1.1.0 20% → 0%, 1.0.0 80% → 100%").
    public var message: String?

    public init(endpoint: String, model: String? = nil, weights: [TrafficWeight]? = nil, routing: DeploymentRouting? = nil,
                expectedRevision: Int? = nil, rollout: RolloutWrite = .unchanged, actor: String, action: String, reason: String?,
                eventKind: ControlEvent.Kind, message: String? = nil) {
        self.endpoint = endpoint
        self.model = model
        self.weights = weights
        self.routing = routing
        self.expectedRevision = expectedRevision
        self.rollout = rollout
        self.actor = actor
        self.action = action
        self.reason = reason
        self.eventKind = eventKind
        self.message = message
    }
}

public struct EndpointChangeResult: Sendable, Equatable {
    public var deployment: Deployment
    /// The split before the change (empty when the change created the endpoint).
    public var previousWeights: [TrafficWeight]
    public var event: ControlEvent
}

/// API tokens, stored as sha256 hashes of their secrets.
public protocol TokenStore: Sendable {
    /// Stores a new token; a name already in use is a conflict. Audited.
    func createToken(_ info: AccessTokenInfo, secretHash: String) async throws
    /// The token whose secret hashes to `secretHash`, if any.
    func token(secretHash: String) async throws -> AccessTokenInfo?
    func tokens() async throws -> [AccessTokenInfo]
    /// Deletes a token by name; `notFound` when there is none. Audited.
    func revokeToken(name: String, actor: String) async throws
}
