import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import NightjarCore
import ServiceSupport
import Synchronization

/// A worker-like server on 127.0.0.1: answers OIP like `nightjar worker` does, tagging every answer
/// with its version, and counts what it was sent. A body containing "reject" gets a 400, "explode"
/// a 500, "slow" waits two seconds first.
final class FakeWorker: Sendable {
    let model: String
    let version: SemVer
    let service: HTTPService
    private let counter: HitCounter

    var baseURL: String { "http://127.0.0.1:\(service.port)" }
    var hits: Int { counter.value }

    final class HitCounter: Sendable {
        private let count = Mutex(0)
        func increment() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    private init(model: String, version: SemVer, service: HTTPService, counter: HitCounter) {
        self.model = model
        self.version = version
        self.service = service
        self.counter = counter
    }

    static func start(model: String = "fraud", version: String, label: Int64 = 1, score: Double = 0.25) async throws -> FakeWorker {
        let semver = try SemVer(parsing: version)
        let counter = HitCounter()
        var logger = Logger(label: "fake-worker")
        logger.logLevel = .error
        let router = Router()
        router.add(middleware: ErrorMiddleware(logger: logger))
        let tagged: HTTPFields = [.nightjarModelVersion: version]

        router.post("/v2/models/:model/infer") { request, context in
            counter.increment()
            guard context.parameters.get("model") == model else {
                return Response.error("this worker serves model '\(model)'", status: .notFound)
            }
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let text = String(buffer: body)
            if text.contains("reject") { return Response.error("input marked reject", status: .badRequest) }
            if text.contains("explode") { return Response.error("worker exploded", status: .internalServerError) }
            if text.contains("slow") { try await Task.sleep(for: .seconds(2)) }
            let id = try? JSONDecoder().decode(InferRequest.self, from: Data(body.readableBytesView)).id
            let answer = InferResponse(modelName: model, modelVersion: version, id: id, outputs: [
                InferTensor(name: "label", shape: [1], datatype: "INT64", data: [.int(label)]),
                InferTensor(name: "score", shape: [1], datatype: "FP32", data: [.double(score)]),
            ])
            var headers = tagged
            if let bytes = HTTPField.Name("x-request-bytes") { headers[bytes] = String(body.readableBytes) }
            if let key = HTTPField.Name("x-nightjar-key"), let seen = HTTPField.Name("x-seen-key") {
                headers[seen] = request.headers[key]
            }
            return try Response.json(answer, headers: headers)
        }
        router.get("/v2/models/:model") { _, context in
            counter.increment()
            guard context.parameters.get("model") == model else {
                return Response.error("this worker serves model '\(model)'", status: .notFound)
            }
            return try Response.json(ModelMetadataResponse(name: model, versions: [version], platform: "onnx", inputs: [], outputs: []),
                                     headers: tagged)
        }
        router.get("/v2/models/:model/ready") { _, _ in
            counter.increment()
            return try Response.json(["ready": true], headers: tagged)
        }
        router.post("/invocations") { request, _ in
            counter.increment()
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            return try Response.json(["predictions": [body.readableBytes]], headers: tagged)
        }
        let service = try await HTTPService(router: router, host: "127.0.0.1", port: 0, logger: logger)
        return FakeWorker(model: model, version: semver, service: service, counter: counter)
    }
}
