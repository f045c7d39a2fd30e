import AsyncHTTPClient
import Foundation
import NightjarCore

/// Typed calls to one worker: its stats and the Open Inference Protocol.
public struct WorkerClient: Sendable {
    let transport: JSONTransport

    public var baseURL: String { transport.baseURL }

    public init(baseURL: String, http: HTTPClient = .shared, timeoutSeconds: Int64 = 5) {
        transport = JSONTransport(baseURL: baseURL, http: http, timeout: .seconds(timeoutSeconds))
    }

    public func stats() async throws(NightjarError) -> StatsSnapshot {
        try await transport.call(.GET, "/v1/stats", as: StatsSnapshot.self)
    }

    public func infer(model: String, _ request: InferRequest) async throws(NightjarError) -> InferResponse {
        try await transport.call(.POST, "/v2/models/\(model)/infer", json: request, as: InferResponse.self)
    }

    public func metadata(model: String) async throws(NightjarError) -> ModelMetadataResponse {
        try await transport.call(.GET, "/v2/models/\(model)", as: ModelMetadataResponse.self)
    }
}
