import Foundation
import NightjarCore
import Testing
import Worker

@Suite struct LifecycleTests {
    @Test func notReadyUntilTheWarmUpInferencePassed() async throws {
        let worker = try await RunningWorker.start(warmUp: false)
        #expect(try await worker.get("/v2/health/live").status == 200)
        let ready = try await worker.get("/v2/health/ready")
        #expect(ready.status == 503 && ready.body.contains(#""ready":false"#))
        #expect(try await worker.get("/v2/models/fraud/ready").status == 503)
        #expect(try await worker.get("/ping").status == 503)
        let infer = try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[1, 2, 3, 4, 5, 6]]))
        #expect(infer.status == 503 && infer.headers.first(name: "Retry-After") != nil)
        #expect(try infer.error().contains("warming up"))

        try worker.routes.warmUp()
        #expect(try await worker.get("/v2/health/ready").status == 200)
        #expect(try await worker.get("/v2/models/fraud/versions/1.0.0/ready").status == 200)
        #expect(try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[1, 2, 3, 4, 5, 6]])).status == 200)
        await worker.stop()
    }

    struct BrokenModel: ServableModel {
        let schema = FeatureSchema(inputs: [TensorSpec(name: "x", datatype: .fp32, shape: [-1, 1])],
                                   outputs: [TensorSpec(name: "y", datatype: .fp32, shape: [-1])])
        func predict(_ inputs: [String: Tensor]) throws -> [String: Tensor] { [:] }
    }

    @Test func aModelThatCannotAnswerNeverBecomesReady() async throws {
        let worker = try await RunningWorker.start(servable: BrokenModel(), model: "broken@1.0.0", warmUp: false)
        #expect(throws: NightjarError.self) { try worker.routes.warmUp() }
        #expect(try await worker.get("/v2/health/ready").status == 503)
        await worker.stop()
    }

    @Test func drainingFinishesInFlightRequestsAndRefusesNewOnes() async throws {
        let worker = try await RunningWorker.start(options: .init(faults: try FaultInjection(latency: .milliseconds(300))))
        let inFlight = Task { try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[1, 2, 3, 4, 5, 6]])) }
        for _ in 0..<400 where worker.routes.lifecycle.inFlight == 0 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(worker.routes.lifecycle.inFlight == 1)
        let drained = Task { await worker.routes.drain(timeout: .seconds(30)) }
        for _ in 0..<400 where worker.routes.lifecycle.phase != .draining { try await Task.sleep(for: .milliseconds(5)) }

        let refused = try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[1, 2, 3, 4, 5, 6]]))
        #expect(refused.status == 503)
        #expect(try refused.error().contains("shutting down"))
        #expect(try await worker.get("/v2/health/ready").status == 503)
        #expect(try await inFlight.value.status == 200)
        #expect(await drained.value)
        await worker.service.stop()
    }

    @Test func drainGivesUpAfterItsTimeout() async throws {
        let worker = try await RunningWorker.start(options: .init(faults: try FaultInjection(latency: .seconds(2))))
        let inFlight = Task { try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[1, 2, 3, 4, 5, 6]])) }
        for _ in 0..<400 where worker.routes.lifecycle.inFlight == 0 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(await worker.routes.drain(timeout: .milliseconds(50)) == false)
        _ = try await inFlight.value
        await worker.service.stop()
    }
}
