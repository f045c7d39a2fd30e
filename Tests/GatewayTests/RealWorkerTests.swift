import Engine
import Foundation
import Gateway
import Logging
import NightjarCore
import ServiceSupport
import Testing
import Worker

/// The gateway in front of real workers serving the bundled demo models through the engine.
struct RealWorker {
    let service: HTTPService
    let stats: WorkerStats
    let ref: ModelRef
    var baseURL: String { "http://127.0.0.1:\(service.port)" }

    static func start(_ version: String) async throws -> RealWorker {
        let file = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/nightjar/DemoModels/fraud-\(version).onnx")
        let ref = try ModelRef(parsing: "fraud@\(version)")
        let stats = WorkerStats(model: ref)
        let routes = WorkerRoutes(model: ref, servable: EngineServable(session: try InferenceSession(modelData: Data(contentsOf: file))),
                                  stats: stats)
        try routes.warmUp()
        var logger = Logger(label: "worker")
        logger.logLevel = .error
        let service = try await HTTPService(router: routes.router(logger: logger), host: "127.0.0.1", port: 0, logger: logger)
        return RealWorker(service: service, stats: stats, ref: ref)
    }
}

@Suite struct RealWorkerTests {
    /// 40 varied rows of 6 features in -2.5 ... 2.5.
    static let rows: [[Double]] = (0..<40).map { (i: Int) -> [Double] in
        (0..<6).map { (j: Int) -> Double in
            let step: Int = (i * 7 + j * 3) % 11
            return Double(step) / 2.0 - 2.5
        }
    }

    static func body(_ row: [Double], id: Int) -> String {
        #"{"id":"q-\#(id)","inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":\#(row)}]}"#
    }

    @Test func gatewayStatsMatchTheWorkersOwnAndShadowComparesRealModels() async throws {
        let stable = try await RealWorker.start("1.0.0")
        let candidate = try await RealWorker.start("1.1.0")
        let route = EndpointRoute(
            deployment: try GatewayFixtures.deployment([("1.0.0", 100), ("1.1.0", 0)]),
            workers: [stable.ref.version: [stable.baseURL], candidate.ref.version: [candidate.baseURL]],
            shadow: ShadowRoute(version: candidate.ref.version, percent: 100))
        let gateway = try await RunningGateway.start([route])
        for (i, row) in Self.rows.enumerated() {
            let reply = try await gateway.post("/v2/models/fraud/infer", body: Self.body(row, id: i))
            #expect(reply.status == 200 && reply.version == "1.0.0")
            let answer = try JSONDecoder().decode(InferResponse.self, from: Data(reply.body.utf8))
            #expect(answer.id == "q-\(i)" && answer.model_version == "1.0.0")
        }
        let bad = try await gateway.post("/v2/models/fraud/infer", body: #"{"inputs":[{"name":"features","shape":[1,5],"datatype":"FP32","data":[1,2,3,4,5]}]}"#)
        #expect(bad.status == 400 && bad.error?.contains("shape") == true, "\(bad.body)")

        var shadow = gateway.router.shadowStats(endpoint: "fraud")
        // Every mirror has finished once it is either compared or a shadow error.
        for _ in 0..<200 where (shadow?.compared ?? 0) + (shadow?.shadowErrors ?? 0) < Self.rows.count + 1 {
            try await Task.sleep(for: .milliseconds(25))
            shadow = gateway.router.shadowStats(endpoint: "fraud")
        }
        let s = try #require(shadow)
        // The malformed request is mirrored too; the shadow's 400 for it is a shadow error, not a comparison.
        #expect(s.mirrored == Self.rows.count + 1 && s.compared == Self.rows.count && s.shadowErrors == 1)
        #expect((0...1).contains(s.agreementRate))
        // Two differently trained models give different probabilities.
        #expect(s.meanAbsoluteDifference > 0 && s.meanAbsoluteDifference < 1)

        let seen = try #require(gateway.router.stats(endpoint: "fraud")[stable.ref.version])
        let own = stable.stats.snapshot()
        #expect(seen.requestsTotal == own.requestsTotal && seen.errorsTotal == own.errorsTotal)
        #expect(seen.requestsTotal == Self.rows.count + 1 && seen.errorsTotal == 1)
        #expect(candidate.stats.snapshot().requestsTotal == Self.rows.count + 1)
        await gateway.service.stop()
        await stable.service.stop()
        await candidate.service.stop()
    }
}
