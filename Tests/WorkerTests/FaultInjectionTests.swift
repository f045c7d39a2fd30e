import Foundation
import NightjarCore
import Testing
import Worker

@Suite struct FaultInjectionTests {
    @Test func decidesFromTheDrawAndTheTimeSinceReady() throws {
        let faults = try FaultInjection(errorRate: 0.3, latency: .milliseconds(200), startAfter: .seconds(5))
        #expect(faults.decide(readyFor: nil, draw: 0) == .none)
        #expect(faults.decide(readyFor: .seconds(4), draw: 0) == .none)
        #expect(faults.decide(readyFor: .seconds(5), draw: 0.29) == .init(delay: .milliseconds(200), fail: true))
        #expect(faults.decide(readyFor: .seconds(9), draw: 0.3) == .init(delay: .milliseconds(200), fail: false))
        #expect(FaultInjection.none.decide(readyFor: .seconds(100), draw: 0) == .none)
    }

    @Test func refusesValuesThatAreNotAShare() {
        #expect(throws: NightjarError.self) { try FaultInjection(errorRate: 30) }
        #expect(throws: NightjarError.self) { try FaultInjection(errorRate: -0.1) }
        #expect(throws: NightjarError.self) { try FaultInjection(errorRate: .nan) }
        #expect(throws: NightjarError.self) { try FaultInjection(latency: .milliseconds(-1)) }
    }

    @Test func everyRequestFailsWithAnInjectedErrorAtRateOne() async throws {
        let worker = try await RunningWorker.start(options: .init(faults: try FaultInjection(errorRate: 1)))
        for _ in 0..<5 {
            let answer = try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[0, 0, 0, 0, 0, 0]]))
            #expect(answer.status == 500)
            #expect(try answer.error().contains("injected"))
            #expect(answer.version == "1.0.0")
        }
        let stats = worker.stats.snapshot()
        #expect(stats.errorsTotal == 5)
        #expect(stats.errorsByStatus?["500"] == 5)
        await worker.stop()
    }

    @Test func aShareOfRequestsFails() async throws {
        // 0.5 over 120 requests: both outcomes appear unless something is broken (chance of either
        // missing is 2^-120).
        let worker = try await RunningWorker.start(options: .init(faults: try FaultInjection(errorRate: 0.5)))
        var statuses: [Int: Int] = [:]
        for _ in 0..<120 {
            statuses[try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[0, 0, 0, 0, 0, 0]])).status, default: 0] += 1
        }
        #expect(statuses[200, default: 0] > 0)
        #expect(statuses[500, default: 0] > 0)
        #expect(statuses[200, default: 0] + statuses[500, default: 0] == 120)
        await worker.stop()
    }

    @Test func injectedLatencyShowsInTheRecordedLatency() async throws {
        let worker = try await RunningWorker.start(options: .init(faults: try FaultInjection(latency: .milliseconds(50))))
        let answer = try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[0, 0, 0, 0, 0, 0]]))
        #expect(answer.status == 200)
        // The delay is a lower bound on what the worker records; no upper bound is asserted.
        #expect(worker.stats.snapshot().latencyMs.p50 >= 50)
        await worker.stop()
    }

    @Test func faultsWaitUntilTheirStartTime() async throws {
        let worker = try await RunningWorker.start(options: .init(faults: try FaultInjection(errorRate: 1, startAfter: .seconds(3600))))
        let answer = try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[0, 0, 0, 0, 0, 0]]))
        #expect(answer.status == 200)
        await worker.stop()
    }
}
