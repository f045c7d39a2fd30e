import Foundation
import Hummingbird
import Logging
import NightjarCore
import ServiceSupport

/// The worker's HTTP surface: Open Inference Protocol v2 plus `/v1/stats` and `/metrics`.
public struct WorkerRoutes: Sendable {
    public let model: ModelRef
    public let servable: any ServableModel
    public let stats: WorkerStats
    /// Largest request body accepted, in bytes; larger bodies get 413.
    public let maxBodyBytes: Int

    public init(model: ModelRef, servable: any ServableModel, stats: WorkerStats, maxBodyBytes: Int = 8 << 20) {
        self.model = model
        self.servable = servable
        self.stats = stats
        self.maxBodyBytes = maxBodyBytes
    }

    public func router(logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware(logger: logger))
        let versionHeader: HTTPFields = [.nightjarModelVersion: model.version.description]

        router.get("/v2/health/live") { _, _ in try Response.json(["live": true]) }
        router.get("/v2/health/ready") { _, _ in try Response.json(["ready": true]) }
        router.get("/v2") { _, _ in
            try Response.json(ServerMetadataResponse(name: "nightjar-worker", version: NightjarBuild.version, extensions: []))
        }
        router.get("/v2/models/:model") { _, context in
            try self.checkModel(context, version: nil)
            return try Response.json(self.metadata(), headers: versionHeader)
        }
        router.get("/v2/models/:model/versions/:version") { _, context in
            try self.checkModel(context, version: context.parameters.get("version"))
            return try Response.json(self.metadata(), headers: versionHeader)
        }
        router.get("/v2/models/:model/ready") { _, context in
            try self.checkModel(context, version: nil)
            return try Response.json(["ready": true], headers: versionHeader)
        }
        router.get("/v2/models/:model/versions/:version/ready") { _, context in
            try self.checkModel(context, version: context.parameters.get("version"))
            return try Response.json(["ready": true], headers: versionHeader)
        }
        router.post("/v2/models/:model/infer") { request, context in
            try await self.timedInfer(request, context, version: nil)
        }
        router.post("/v2/models/:model/versions/:version/infer") { request, context in
            try await self.timedInfer(request, context, version: context.parameters.get("version"))
        }
        router.get("/v1/stats") { _, _ in try Response.json(self.stats.snapshot()) }
        router.get("/metrics") { _, _ in
            Response.text(self.stats.prometheusText(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        return router
    }

    private func checkModel(_ context: BasicRequestContext, version: String?) throws {
        let name = context.parameters.get("model") ?? ""
        guard name == model.name else {
            throw NightjarError.notFound("this worker serves model '\(model.name)', not '\(name)'")
        }
        if let version, version != model.version.description {
            throw NightjarError.notFound("this worker serves \(model), not version \(version)")
        }
    }

    private func metadata() -> ModelMetadataResponse {
        func meta(_ s: TensorSpec) -> ModelMetadataResponse.TensorMetadata {
            .init(name: s.name, datatype: s.datatype.rawValue, shape: s.shape)
        }
        return ModelMetadataResponse(
            name: model.name, versions: [model.version.description], platform: "onnx",
            inputs: servable.schema.inputs.map(meta), outputs: servable.schema.outputs.map(meta))
    }

    /// Runs one request and records its latency and status, whether it succeeded or not.
    private func timedInfer(_ request: Request, _ context: BasicRequestContext, version: String?) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        var status = 500
        defer { stats.record(status: status, elapsed: clock.now - start) }
        do {
            try checkModel(context, version: version)
            var req = request
            let body = try await req.decodeJSON(InferRequest.self, limit: maxBodyBytes)
            let response = try infer(body)
            status = 200
            return try Response.json(response, headers: [.nightjarModelVersion: model.version.description])
        } catch let error as NightjarError {
            status = error.httpStatus
            throw error
        } catch let error as any HTTPResponseError {
            status = Int(error.status.code)
            throw error
        }
    }

    /// The pure part of inference: JSON tensors in, JSON tensors out.
    func infer(_ request: InferRequest) throws -> InferResponse {
        var inputs: [String: Tensor] = [:]
        for input in request.inputs {
            guard inputs[input.name] == nil else {
                throw NightjarError.invalidArgument("input '\(input.name)' is given more than once")
            }
            inputs[input.name] = try input.tensor()
        }
        try servable.schema.validate(inputs)
        let outputs = try servable.predict(inputs)
        let wanted: [String]
        if let requested = request.outputs, !requested.isEmpty {
            let known = Set(servable.schema.outputs.map(\.name))
            for r in requested where !known.contains(r.name) {
                throw NightjarError.invalidArgument("requested output '\(r.name)' does not exist; outputs are \(servable.schema.outputs.map { "'\($0.name)'" }.joined(separator: ", "))")
            }
            wanted = requested.map(\.name)
        } else {
            wanted = servable.schema.outputs.map(\.name)
        }
        let encoded = try wanted.map { name in
            guard let tensor = outputs[name] else {
                throw NightjarError.corrupt("the model produced no output '\(name)'")
            }
            return InferTensor(name: name, tensor: tensor)
        }
        return InferResponse(modelName: model.name, modelVersion: model.version.description, id: request.id, outputs: encoded)
    }
}
