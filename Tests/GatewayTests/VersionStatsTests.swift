import Foundation
import Gateway
import NightjarCore
import Testing

@Suite struct VersionStatsTests {
    @Test func statsPerVersionReflectWhatWasSent() async throws {
        let stable = try await FakeWorker.start(version: "1.0.0")
        let canary = try await FakeWorker.start(version: "1.1.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 90), ("1.1.0", 10)], workers: [stable, canary])])
        for _ in 0..<30 { _ = try await gateway.post("/v2/models/fraud/infer", headers: ["x-nightjar-version": "1.0.0"]) }
        for i in 0..<10 {
            let body = i < 4 ? #"{"inputs":"reject"}"# : GatewayFixtures.inferBody
            _ = try await gateway.post("/v2/models/fraud/infer", body: body, headers: ["x-nightjar-version": "1.1.0"])
        }
        _ = try await gateway.post("/v2/models/fraud/infer", headers: ["x-nightjar-version": "7.0.0"])
        let stats = gateway.router.stats(endpoint: "fraud")
        #expect(Set(stats.keys) == [SemVer(1, 0, 0), SemVer(1, 1, 0)])
        let s = try #require(stats[SemVer(1, 0, 0)])
        let c = try #require(stats[SemVer(1, 1, 0)])
        #expect(s.model == ModelRef(name: "fraud", version: SemVer(1, 0, 0)))
        #expect(s.requestsTotal == 30 && s.errorsTotal == 0 && s.errorRate == 0)
        #expect(c.requestsTotal == 10 && c.errorsTotal == 4 && abs(c.errorRate - 0.4) < 1e-9)
        #expect(s.latencyMs.p50 > 0 && s.latencyMs.max >= s.latencyMs.p99)
        #expect(gateway.router.stats(endpoint: "other").isEmpty)

        let metrics = try await gateway.get("/metrics").body
        #expect(metrics.contains(#"nightjar_gateway_requests_total{endpoint="fraud",version="1.0.0",status="200"} 30"#))
        #expect(metrics.contains(#"nightjar_gateway_requests_total{endpoint="fraud",version="1.1.0",status="400"} 4"#))
        #expect(metrics.contains(#"nightjar_gateway_requests_total{endpoint="fraud",version="",status="400"} 1"#))
        #expect(metrics.contains(#"nightjar_gateway_request_duration_seconds_count{endpoint="fraud",version="1.1.0"} 10"#))
        await gateway.service.stop()
        await stable.service.stop()
        await canary.service.stop()
    }

    @Test func statsSurviveRoutingUpdates() async throws {
        let worker = try await FakeWorker.start(version: "1.0.0")
        let route = try GatewayFixtures.route([("1.0.0", 100)], workers: [worker])
        let gateway = try await RunningGateway.start([route])
        for _ in 0..<5 { _ = try await gateway.post("/v2/models/fraud/infer") }
        gateway.router.update(routes: [])
        #expect(try await gateway.post("/v2/models/fraud/infer").status == 404)
        gateway.router.update(routes: [route])
        _ = try await gateway.post("/v2/models/fraud/infer")
        #expect(gateway.router.stats(endpoint: "fraud")[SemVer(1, 0, 0)]?.requestsTotal == 6)
        #expect(gateway.router.routes() == [route])
        await gateway.service.stop()
        await worker.service.stop()
    }
}
