import Foundation
import Hummingbird
import Logging
import NightjarCore
import ServiceSupport

/// The worker's HTTP surface: Open Inference Protocol v2, MLflow's scoring protocol, `/v1/stats`
/// and `/metrics`.
///
/// An inference request is admitted (refused while starting or draining), gets its injected fault
/// if any, is decoded and validated against the schema, queued in the batcher, and answered; every
/// one, good or bad, is recorded with its status, rows and latency in `WorkerStats`.
public struct WorkerRoutes: Sendable {
    public let model: ModelRef
    public let servable: any ServableModel
    public let stats: WorkerStats
    public let options: WorkerOptions
    public let lifecycle: WorkerLifecycle
    public let batcher: Batcher
    let validator: RequestValidator
    let mlflow: MLflowScoring
    let observers: [any PredictionObserver]

    /// Starts the batcher's loop; the worker is not ready until `warmUp()` passed.
    public init(model: ModelRef, servable: any ServableModel, stats: WorkerStats, options: WorkerOptions = .init(),
                lifecycle: WorkerLifecycle = WorkerLifecycle(), observers: [any PredictionObserver] = []) {
        self.model = model
        self.servable = servable
        self.stats = stats
        self.options = options
        self.lifecycle = lifecycle
        self.batcher = Batcher(servable: servable, stats: stats, configuration: options.batching)
        self.validator = RequestValidator(schema: servable.schema, allowNonFinite: options.allowNonFinite)
        self.mlflow = MLflowScoring(schema: servable.schema)
        self.observers = observers
    }

    /// Runs the warm-up inference and, if it passed, reports ready.
    public func warmUp() throws {
        try WarmUp.run(servable)
        lifecycle.markReady()
    }

    /// Stops taking requests and waits for those in flight, up to `timeout`; true when all finished.
    public func drain(timeout: Duration) async -> Bool {
        let finished = await lifecycle.drain(timeout: timeout)
        batcher.stop()
        return finished
    }

    public func router(logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: VersionHeaderMiddleware(version: model.version.description))
        router.add(middleware: ErrorMiddleware(logger: logger))

        router.get("/v2/health/live") { _, _ in try Response.json(["live": true]) }
        router.get("/v2/health/ready") { _, _ in try self.readiness() }
        router.get("/v2") { _, _ in
            try Response.json(ServerMetadataResponse(name: "nightjar-worker", version: NightjarBuild.version, extensions: ["binary_tensor_data"]))
        }
        router.get("/v2/models/:model") { _, context in
            try self.checkModel(context, version: nil)
            return try Response.json(self.metadata())
        }
        router.get("/v2/models/:model/versions/:version") { _, context in
            try self.checkModel(context, version: context.parameters.get("version"))
            return try Response.json(self.metadata())
        }
        router.get("/v2/models/:model/ready") { _, context in
            try self.checkModel(context, version: nil)
            return try self.readiness()
        }
        router.get("/v2/models/:model/versions/:version/ready") { _, context in
            try self.checkModel(context, version: context.parameters.get("version"))
            return try self.readiness()
        }
        router.post("/v2/models/:model/infer") { request, context in
            try await self.admitted { try await self.inferOIP(request, context, version: nil) }
        }
        router.post("/v2/models/:model/versions/:version/infer") { request, context in
            try await self.admitted { try await self.inferOIP(request, context, version: context.parameters.get("version")) }
        }

        // MLflow's scoring protocol.
        router.post("/invocations") { request, _ in
            try await self.admitted { try await self.inferMLflow(request) }
        }
        router.get("/ping") { _, _ in try self.readiness() }
        router.get("/health") { _, _ in try self.readiness() }
        router.get("/version") { _, _ in
            try Response.json(["model_name": model.name, "model_version": model.version.description, "server_version": NightjarBuild.version])
        }

        router.get("/v1/stats") { _, _ in
            let log = self.observers.lazy.compactMap { $0 as? PredictionLog }.first?.counts
            return try Response.json(self.stats.snapshot(
                ready: self.lifecycle.isReady, process: ProcessStatsReader.current(),
                predictionLog: log.map { PredictionLogStats(written: $0.written, dropped: $0.dropped, writeErrors: $0.writeErrors) }))
        }
        router.get("/metrics") { _, _ in
            Response.text(self.stats.prometheusText(ready: self.lifecycle.isReady, process: ProcessStatsReader.current()),
                          contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        return router
    }

    /// 200 `{"ready": true}` once warmed up and not draining, 503 `{"ready": false}` otherwise,
    /// which is what KServe's and Triton's probes expect.
    private func readiness() throws -> Response {
        let ready = lifecycle.isReady
        return try Response.json(["ready": ready], status: ready ? .ok : .serviceUnavailable)
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

    /// One inference request of any protocol: admission, injected faults, and its record in the
    /// stats whether it succeeded or not. `work` answers with the response and its number of rows.
    private func admitted(_ work: () async throws -> (Response, rows: Int)) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        var status = 500
        var rows = 0
        defer { stats.record(status: status, elapsed: clock.now - start, rows: rows) }
        switch lifecycle.enter() {
        case .draining:
            status = 503
            return Self.unavailable("this worker is shutting down and takes no new requests; retry on another worker")
        case .starting:
            status = 503
            return Self.unavailable("this worker is still warming up its model; retry shortly")
        case .admitted:
            break
        }
        defer { lifecycle.leave() }
        do {
            // Checked first: the draw reads the system's random source (a syscall) and the ready time
            // takes a lock, which a worker without faults should not pay per request.
            if options.faults.isEnabled {
                let fault = options.faults.decide(readyFor: lifecycle.readyFor(), draw: Double.random(in: 0..<1))
                if fault.delay > .zero { try await Task.sleep(for: fault.delay) }
                if fault.fail { throw HTTPError(.internalServerError, message: FaultInjection.injectedErrorMessage) }
            }
            let (response, n) = try await work()
            status = Int(response.status.code)
            rows = n
            return response
        } catch let error as BatcherError {
            status = 503
            return Self.unavailable(error.description)
        } catch let error as NightjarError {
            status = error.httpStatus
            throw error
        } catch let error as any HTTPResponseError {
            status = Int(error.status.code)
            if error.status == .contentTooLarge {
                // Answered here so the message names this worker's limit and the flag that sets it.
                return Response.error("request body is larger than this worker accepts (\(options.maxBodyBytes) bytes, --max-body-bytes)",
                                      status: .contentTooLarge)
            }
            throw error
        }
    }

    /// 503 with `Retry-After`, which OIP clients and load balancers read as "try again elsewhere".
    static func unavailable(_ message: String) -> Response {
        var response = Response.error(message, status: .serviceUnavailable)
        response.headers[.retryAfter] = "1"
        return response
    }

    private func inferOIP(_ request: Request, _ context: BasicRequestContext, version: String?) async throws -> (Response, rows: Int) {
        try checkModel(context, version: version)
        var req = request
        let buffer = try await req.collectBody(upTo: options.maxBodyBytes)
        let (body, binary) = try OIPInferBody.read(buffer, headerLength: request.headers[.inferenceHeaderContentLength])
        let inputs = try oipInputs(body, binary: binary)
        let wanted = try requestedOutputs(body)
        let start = ContinuousClock.now
        let answer = try await batcher.submit(inputs)
        let outputs = try wanted.map { name in
            guard let tensor = answer.outputs[name] else {
                throw NightjarError.corrupt("the model produced no output '\(name)'")
            }
            return (name: name, tensor: tensor, binary: body.wantsBinary(name))
        }
        observe(id: body.id, inputs: inputs, outputs: answer.outputs, since: start)
        return (try OIPInferAnswer.response(model: model, id: body.id, outputs: outputs), Self.rows(inputs))
    }

    /// JSON or binary tensors to engine tensors, checked against the schema.
    func oipInputs(_ request: OIPInferBody, binary: ArraySlice<UInt8>?) throws(NightjarError) -> [String: Tensor] {
        let inputs = try request.tensors(binary: binary)
        try validator.validate(inputs)
        return inputs
    }

    /// The outputs to answer with: those requested, all of them when none are.
    func requestedOutputs(_ request: OIPInferBody) throws(NightjarError) -> [String] {
        let all = servable.schema.outputs.map(\.name)
        guard let requested = request.outputs, !requested.isEmpty else { return all }
        for r in requested where !all.contains(r.name) {
            throw .invalidArgument("requested output '\(r.name)' does not exist; outputs are \(all.map { "'\($0)'" }.joined(separator: ", "))")
        }
        return requested.map(\.name)
    }

    private func inferMLflow(_ request: Request) async throws -> (Response, rows: Int) {
        var req = request
        let buffer = try await req.collectBody(upTo: options.maxBodyBytes)
        let data = Data(buffer: buffer)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let inputs = contentType.hasPrefix("text/csv") ? try mlflow.inputs(csv: data) : try mlflow.inputs(json: data)
        try validator.validate(inputs)
        let start = ContinuousClock.now
        let answer = try await batcher.submit(inputs)
        observe(id: nil, inputs: inputs, outputs: answer.outputs, since: start)
        let predictions = mlflow.predictions(answer.outputs, order: servable.schema.outputs.map(\.name))
        return (try Response.json(predictions), Self.rows(inputs))
    }

    private func observe(id: String?, inputs: [String: Tensor], outputs: [String: Tensor], since start: ContinuousClock.Instant) {
        guard !observers.isEmpty else { return }
        let prediction = ObservedPrediction(model: model, id: id, inputs: inputs, outputs: outputs, at: Date(), latency: .now - start)
        for observer in observers { observer.observe(prediction) }
    }

    static func rows(_ inputs: [String: Tensor]) -> Int {
        inputs.values.first?.shape.first ?? 1
    }
}
