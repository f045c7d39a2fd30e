import AsyncHTTPClient
import Foundation
import NightjarCore

/// Typed calls to the control plane's `/api/v1` API.
public struct ServerClient: Sendable {
    let transport: JSONTransport

    public var baseURL: String { transport.baseURL }

    public init(baseURL: String, http: HTTPClient = .shared, timeoutSeconds: Int64 = 10) {
        transport = JSONTransport(baseURL: baseURL, http: http, timeout: .seconds(timeoutSeconds))
    }

    public func models() async throws(NightjarError) -> [ModelSummary] {
        try await transport.call(.GET, "/api/v1/models", as: [ModelSummary].self)
    }

    public func version(_ ref: ModelRef) async throws(NightjarError) -> ModelVersionInfo {
        try await transport.call(.GET, Self.versionPath(ref), as: ModelVersionInfo.self)
    }

    /// Uploads an artifact as a new version. The schema travels in a header because the body is the raw model.
    public func push(_ ref: ModelRef, artifact: Data, schema: FeatureSchema?) async throws(NightjarError) -> PushResult {
        var headers = [("Content-Type", "application/octet-stream")]
        if let schema {
            do {
                headers.append((SchemaHeader.name, try SchemaHeader.encode(schema)))
            } catch {
                throw .invalidArgument("could not encode the schema of \(ref): \(error)")
            }
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

    static func versionPath(_ ref: ModelRef) -> String {
        "/api/v1/models/\(ref.name)/versions/\(ref.version)"
    }
}
