import Foundation
import Gateway
import NightjarCore
import Testing
import TestSupport

@Suite struct ResilienceTests {
    @Test func shiftingWeightsBackAndForthUnderLoadFailsNoRequest() async throws {
        let stable = try await FakeWorker.start(version: "1.0.0")
        let canary = try await FakeWorker.start(version: "1.1.0")
        let spare = try await FakeWorker.start(version: "1.1.0")
        let routeA = try GatewayFixtures.route([("1.0.0", 90), ("1.1.0", 10)], workers: [stable, canary])
        let routeB = try GatewayFixtures.route([("1.0.0", 10), ("1.1.0", 90)], workers: [stable, canary, spare])
        let gateway = try await RunningGateway.start([routeA])
        let tally = LoadTally()
        async let load: Void = tally.drive(gateway, total: 20_000, concurrency: 6)
        // Paced by answers, not by the clock: at least 5 requests finish between two shifts,
        // however slow the machine.
        for shift in 0..<100 {
            gateway.router.update(routes: [shift.isMultiple(of: 2) ? routeB : routeA])
            while tally.snapshot.done < (shift + 1) * 5 { try await Task.sleep(for: .milliseconds(1)) }
        }
        tally.stop()
        await load
        let counts = tally.snapshot
        #expect(counts.done >= 500)
        #expect(counts.failed == 0, "failures: \(counts.failures)")
        #expect(counts.byVersion["1.0.0", default: 0] > 0 && counts.byVersion["1.1.0", default: 0] > 0)
        await gateway.service.stop()
        for worker in [stable, canary, spare] { await worker.service.stop() }
    }

    @Test func killingAWorkerUnderLoadFailsAlmostNothingAndEjectsIt() async throws {
        let workers = [try await FakeWorker.start(version: "1.0.0"), try await FakeWorker.start(version: "1.0.0"),
                       try await FakeWorker.start(version: "1.0.0")]
        let victim = workers[1]
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100)], workers: workers)],
                                                     configuration: .init(ejectionThreshold: 3, ejectionDuration: .seconds(60)))
        let tally = LoadTally()
        let total = 2000
        async let load: Void = tally.drive(gateway, total: total, concurrency: 8)
        while tally.snapshot.done < 400 { try await Task.sleep(for: .milliseconds(5)) }
        await victim.service.stop()
        let hitsAtDeath = victim.hits
        await load
        let counts = tally.snapshot
        #expect(counts.done == total)
        #expect(Double(counts.failed) <= Double(total) * 0.001, "failures: \(counts.failures)")
        #expect(gateway.router.ejectedWorkers() == [victim.baseURL])
        #expect(victim.hits == hitsAtDeath)
        let metrics = try await gateway.get("/metrics").body
        #expect(metrics.contains("nightjar_gateway_ejections_total 1"))
        #expect(!metrics.contains("nightjar_gateway_retries_total 0\n"))
        await gateway.service.stop()
        for worker in workers where worker !== victim { await worker.service.stop() }
    }

    @Test func anUnreachableWorkerIsRetriedOnAnotherOfTheSameVersion() async throws {
        let live = try await FakeWorker.start(version: "1.0.0")
        let dead = try ClosedPort()
        let route = EndpointRoute(deployment: try GatewayFixtures.deployment([("1.0.0", 100)]),
                                  workers: [live.version: [live.baseURL, dead.baseURL]], shadow: nil)
        let gateway = try await RunningGateway.start([route], configuration: .init(ejectionThreshold: 2, ejectionDuration: .seconds(60)))
        for _ in 0..<30 {
            let reply = try await gateway.post("/v2/models/fraud/infer")
            #expect(reply.status == 200)
        }
        #expect(live.hits == 30)
        #expect(gateway.router.ejectedWorkers() == [dead.baseURL])
        await gateway.service.stop()
        await live.service.stop()
    }

    @Test func theOnlyWorkerUnreachableIs502NamingIt() async throws {
        let dead = try ClosedPort()
        let route = EndpointRoute(deployment: try GatewayFixtures.deployment([("1.0.0", 100)]),
                                  workers: [SemVer(1, 0, 0): [dead.baseURL]], shadow: nil)
        let gateway = try await RunningGateway.start([route])
        let reply = try await gateway.post("/v2/models/fraud/infer")
        #expect(reply.status == 502)
        #expect(reply.error?.contains(dead.baseURL) == true && reply.error?.contains("1.0.0") == true, "\(reply.body)")
        await gateway.service.stop()
    }

    @Test func aWorkerSlowerThanTheDeadlineIs504AndNotRetried() async throws {
        let a = try await FakeWorker.start(version: "1.0.0")
        let b = try await FakeWorker.start(version: "1.0.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100)], workers: [a, b])],
                                                     configuration: .init(requestTimeout: .milliseconds(1500)))
        // The deadline covers connecting too: well under the worker's 2 s but long enough for a
        // loaded machine to deliver the request, so one hit proves it arrived and was not retried.
        let reply = try await gateway.post("/v2/models/fraud/infer", body: #"{"inputs":"slow"}"#)
        #expect(reply.status == 504)
        #expect(reply.error?.contains("did not answer") == true, "\(reply.body)")
        #expect(a.hits + b.hits == 1)
        await gateway.service.stop()
        await a.service.stop()
        await b.service.stop()
    }

    @Test func eachPredictionKeepsItsOwnDeadlineAfterAnEarlierOneFinished() async throws {
        let worker = try await FakeWorker.start(version: "1.0.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100)], workers: [worker])],
                                                     configuration: .init(requestTimeout: .milliseconds(1500)))
        // A loop's deadlines share one timer, set for the oldest prediction: here one answered at
        // once. When it fires, the slow prediction sent half a second later must still get its own
        // full deadline, then a 504, not wait for the worker's 2 s nor be cut at the first's deadline.
        let fast = try await gateway.post("/v2/models/fraud/infer")
        #expect(fast.status == 200)
        try await Task.sleep(for: .milliseconds(500))
        let clock = ContinuousClock()
        let sent = clock.now
        let slow = try await gateway.post("/v2/models/fraud/infer", body: #"{"inputs":"slow"}"#)
        let waited = clock.now - sent
        #expect(slow.status == 504, "\(slow.body)")
        #expect(waited >= .milliseconds(1400), "answered after \(waited), before its own 1.5 s deadline")
        await gateway.service.stop()
        await worker.service.stop()
    }

    @Test func oversizedBodiesAre413BeforeReachingAWorker() async throws {
        let worker = try await FakeWorker.start(version: "1.0.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100)], workers: [worker])],
                                                     configuration: .init(maxRequestBytes: 64))
        let reply = try await gateway.post("/v2/models/fraud/infer", body: String(repeating: "x", count: 1000))
        #expect(reply.status == 413 && reply.error?.contains("64 bytes") == true)
        #expect(worker.hits == 0)
        await gateway.service.stop()
        await worker.service.stop()
    }
}
