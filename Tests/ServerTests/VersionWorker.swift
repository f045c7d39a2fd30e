import Foundation
import Hummingbird
import Logging
import NightjarCore
import ServiceSupport
import Synchronization

/// The smallest stand-in for `nightjar worker` the gateway can route to: answers OIP inference with its
/// version as `model_version` (and MLflow's `/invocations` with it in the version header), and counts the requests it was sent (shadow copies included).
final class VersionWorker: Sendable {
    final class Counter: Sendable {
        let count = Mutex(0)
    }

    let version: SemVer
    let service: HTTPService
    private let counter: Counter

    var address: String { "http://127.0.0.1:\(service.port)" }
    var requests: Int { counter.count.withLock { $0 } }

    private init(version: SemVer, service: HTTPService, counter: Counter) {
        self.version = version
        self.service = service
        self.counter = counter
    }

    static func start(_ version: SemVer) async throws -> VersionWorker {
        var logger = Logger(label: "version-worker")
        logger.logLevel = .error
        let counter = Counter()
        let router = Router()
        router.post("/v2/models/:model/infer") { _, context in
            counter.count.withLock { $0 += 1 }
            return try Response.json(InferResponse(
                modelName: context.parameters.get("model") ?? "", modelVersion: version.description, id: nil,
                outputs: [InferTensor(name: "label", shape: [1], datatype: "INT64", data: [.int(1)])]))
        }
        router.post("/invocations") { _, _ in
            counter.count.withLock { $0 += 1 }
            var response = try Response.json(["predictions": [1]])
            response.headers[.nightjarModelVersion] = version.description
            return response
        }
        let service = try await HTTPService(router: router, host: "127.0.0.1", port: 0, logger: logger)
        return VersionWorker(version: version, service: service, counter: counter)
    }
}
