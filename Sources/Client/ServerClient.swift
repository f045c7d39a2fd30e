import AsyncHTTPClient
import Foundation
import NightjarCore

/// Typed calls to the control plane's `/api/v1` API.
public struct ServerClient: Sendable {
    let transport: JSONTransport

    public var baseURL: String { transport.baseURL }

    /// `actor` names the caller in the audit log; `token` is sent as a bearer token.
    public init(baseURL: String, http: HTTPClient = .shared, timeoutSeconds: Int64 = 10, actor: String? = nil,
                token: String? = nil) {
        var headers: [(String, String)] = []
        if let actor { headers.append(("Nightjar-Actor", actor)) }
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        transport = JSONTransport(baseURL: baseURL, http: http, timeout: .seconds(timeoutSeconds), defaultHeaders: headers)
    }

    public func models() async throws(NightjarError) -> [ModelSummary] {
        try await transport.call(.GET, "/api/v1/models", as: [ModelSummary].self)
    }

    public func version(_ ref: ModelRef) async throws(NightjarError) -> ModelVersionInfo {
        try await transport.call(.GET, Self.versionPath(ref), as: ModelVersionInfo.self)
    }

    /// Uploads an artifact as a new version. The schema travels in a header because the body is the raw model.
    public func push(_ ref: ModelRef, artifact: Data, schema: FeatureSchema?,
                     metadata: VersionMetadata = VersionMetadata()) async throws(NightjarError) -> PushResult {
        var headers = [("Content-Type", "application/octet-stream")]
        do {
            if let schema { headers.append((SchemaHeader.name, try SchemaHeader.encode(schema))) }
            headers.append((MetadataHeader.name, try MetadataHeader.encode(metadata)))
        } catch {
            throw .invalidArgument("could not encode the schema or metadata of \(ref): \(error)")
        }
        let path = Self.versionPath(ref)
        let response = try await transport.send(.PUT, path, body: artifact, headers: headers)
        try transport.check(response, .PUT, path)
        return try transport.decode(PushResult.self, from: response.body, path: path)
    }

    /// Downloads a version's artifact and checks it against the registry's sha256, so a worker
    /// never serves bytes other than the ones that were pushed.
    public func artifact(_ ref: ModelRef) async throws(NightjarError) -> (info: ModelVersionInfo, data: Data) {
        let info = try await version(ref)
        let path = Self.versionPath(ref) + "/artifact"
        let response = try await transport.send(.GET, path, limit: 1 << 30)
        try transport.check(response, .GET, path)
        let actual = SHA256Hex.of(response.body)
        guard actual == info.sha256 else {
            throw .corrupt("artifact of \(ref) from \(baseURL) has sha256 \(actual), but the registry records \(info.sha256); refusing to serve it")
        }
        return (info, response.body)
    }

    public func announce(_ worker: WorkerAnnouncement) async throws(NightjarError) {
        _ = try await transport.call(.POST, "/api/v1/workers", json: worker, as: WorkerInfo.self)
    }

    public func withdraw(workerID: String) async throws(NightjarError) {
        let path = "/api/v1/workers/\(workerID)"
        let response = try await transport.send(.DELETE, path)
        try transport.check(response, .DELETE, path)
    }

    public func workers() async throws(NightjarError) -> [WorkerInfo] {
        try await transport.call(.GET, "/api/v1/workers", as: [WorkerInfo].self)
    }

    /// Stores a version's reference profile (JSON), once.
    public func setReference(_ ref: ModelRef, profileJSON: Data) async throws(NightjarError) {
        let path = Self.versionPath(ref) + "/reference"
        let response = try await transport.send(.PUT, path, body: profileJSON, headers: [("Content-Type", "application/json")])
        try transport.check(response, .PUT, path)
    }

    /// A version's reference profile JSON, or nil when it has none.
    public func reference(_ ref: ModelRef) async throws(NightjarError) -> Data? {
        let path = Self.versionPath(ref) + "/reference"
        let response = try await transport.send(.GET, path)
        if response.status == 404, StructuredErrorBody.message(in: response.body, decoder: JSONTransport.decoder)?.contains("no reference profile") == true {
            return nil
        }
        try transport.check(response, .GET, path)
        return response.body
    }

    /// Points `alias` of a model at a version (operators; `force` skips the promotion rules and needs admin).
    @discardableResult
    public func setAlias(_ model: String, _ alias: String, _ change: AliasChange) async throws(NightjarError) -> ModelVersionInfo {
        try await transport.call(.PUT, "/api/v1/models/\(model)/aliases/\(alias)", json: change, as: ModelVersionInfo.self)
    }

    @discardableResult
    public func edit(_ ref: ModelRef, _ edit: VersionEdit) async throws(NightjarError) -> ModelVersionInfo {
        try await transport.call(.PATCH, Self.versionPath(ref), json: edit, as: ModelVersionInfo.self)
    }

    /// Removes unreferenced artifacts (older than an hour); answers their digests.
    public func collectGarbage() async throws(NightjarError) -> [String] {
        try await transport.call(.POST, "/api/v1/gc", as: [String: [String]].self)["removed"] ?? []
    }

    /// Standalone gateway replicas that reported their clients' stats lately.
    public func gateways() async throws(NightjarError) -> [GatewayReplicaInfo] {
        try await transport.call(.GET, "/api/v1/gateways", as: [GatewayReplicaInfo].self)
    }

    // MARK: endpoints and traffic

    public func endpoints() async throws(NightjarError) -> [EndpointStatus] {
        try await transport.call(.GET, "/api/v1/endpoints", as: [EndpointStatus].self)
    }

    public func endpoint(_ name: String) async throws(NightjarError) -> EndpointStatus {
        try await transport.call(.GET, Self.endpointPath(name), as: EndpointStatus.self)
    }

    /// Creates the endpoint or sets its split; with `change.revision` set, a stale change is refused (409).
    @discardableResult
    public func setTraffic(_ endpoint: String, _ change: TrafficChange) async throws(NightjarError) -> Deployment {
        try await transport.call(.PUT, Self.endpointPath(endpoint), json: change, as: Deployment.self)
    }

    /// All traffic back to one version (the stable one unless `request.to` names another).
    @discardableResult
    public func rollback(_ endpoint: String, _ request: RollbackRequest) async throws(NightjarError) -> Deployment {
        try await transport.call(.POST, Self.endpointPath(endpoint) + "/rollback", json: request, as: Deployment.self)
    }

    @discardableResult
    public func startRollout(_ endpoint: String, _ start: RolloutStart) async throws(NightjarError) -> RolloutStatus {
        try await transport.call(.POST, Self.endpointPath(endpoint) + "/rollout", json: start, as: RolloutStatus.self)
    }

    @discardableResult
    public func rollout(_ endpoint: String, _ command: RolloutCommand, reason: String) async throws(NightjarError) -> RolloutStatus {
        try await transport.call(.POST, Self.endpointPath(endpoint) + "/rollout/\(command.rawValue)",
                                 json: ReasonBody(reason: reason), as: RolloutStatus.self)
    }

    // MARK: history

    /// Newest first.
    public func audit(limit: Int = 100) async throws(NightjarError) -> [AuditEntry] {
        try await transport.call(.GET, "/api/v1/audit?limit=\(limit)", as: [AuditEntry].self)
    }

    /// Events with an id above `after`, oldest first (the JSON form of the `/api/v1/events` stream).
    public func events(after: Int64 = 0, limit: Int = 500) async throws(NightjarError) -> [ControlEvent] {
        try await transport.call(.GET, "/api/v1/events?after=\(after)&limit=\(limit)&format=json", as: [ControlEvent].self)
    }

    /// The newest `count` events, oldest first: where a timeline starts on a long log.
    public func newestEvents(_ count: Int) async throws(NightjarError) -> [ControlEvent] {
        try await transport.call(.GET, "/api/v1/events?newest=\(count)&format=json", as: [ControlEvent].self)
    }

    // MARK: tokens (admin)

    /// Creates a token; the answer carries its secret, shown this once.
    public func createToken(name: String, role: AccessRole) async throws(NightjarError) -> AccessTokenCreated {
        try await transport.call(.POST, "/api/v1/tokens", json: AccessTokenRequest(name: name, role: role), as: AccessTokenCreated.self)
    }

    public func tokens() async throws(NightjarError) -> [AccessTokenInfo] {
        try await transport.call(.GET, "/api/v1/tokens", as: [AccessTokenInfo].self)
    }

    public func revokeToken(name: String) async throws(NightjarError) {
        let path = "/api/v1/tokens/\(name)"
        let response = try await transport.send(.DELETE, path)
        try transport.check(response, .DELETE, path)
    }

    static func endpointPath(_ name: String) -> String {
        "/api/v1/endpoints/\(name)"
    }

    static func versionPath(_ ref: ModelRef) -> String {
        "/api/v1/models/\(ref.name)/versions/\(ref.version)"
    }
}
