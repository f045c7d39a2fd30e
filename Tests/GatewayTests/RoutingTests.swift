import Foundation
import Gateway
import NightjarCore
import Testing

@Suite struct RoutingTests {
    @Test func observedSplitMatchesTheWeights() async throws {
        let stable = try await FakeWorker.start(version: "1.0.0")
        let canary = try await FakeWorker.start(version: "1.1.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 80), ("1.1.0", 20)], workers: [stable, canary])])
        let tally = LoadTally()
        let total = 2000
        await tally.drive(gateway, total: total, concurrency: 8)
        let counts = tally.snapshot
        #expect(counts.failed == 0, "failures: \(counts.failures)")
        let canaryShare = Double(counts.byVersion["1.1.0", default: 0]) / Double(total)
        // 20% of 2000 has a standard deviation of 0.9 points; 4 of them is 3.6.
        #expect(abs(canaryShare - 0.20) < 0.036, "canary got \(canaryShare * 100)%")
        #expect(counts.byVersion["1.0.0", default: 0] + counts.byVersion["1.1.0", default: 0] == total)
        #expect(stable.hits + canary.hits == total)
        await gateway.service.stop()
        await stable.service.stop()
        await canary.service.stop()
    }

    @Test func versionHeaderPinsAnyVersionOfTheDeployment() async throws {
        let stable = try await FakeWorker.start(version: "1.0.0")
        let warm = try await FakeWorker.start(version: "2.1.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100), ("2.1.0", 0)], workers: [stable, warm])])
        for _ in 0..<20 {
            let reply = try await gateway.post("/v2/models/fraud/infer", headers: ["x-nightjar-version": "2.1.0"])
            #expect(reply.status == 200 && reply.version == "2.1.0")
        }
        #expect(warm.hits == 20 && stable.hits == 0)

        let unknown = try await gateway.post("/v2/models/fraud/infer", headers: ["x-nightjar-version": "3.0.0"])
        #expect(unknown.status == 400)
        #expect(unknown.error?.contains("3.0.0") == true && unknown.error?.contains("x-nightjar-version") == true, "\(unknown.body)")
        let garbage = try await gateway.post("/v2/models/fraud/infer", headers: ["x-nightjar-version": "latest"])
        #expect(garbage.status == 400 && garbage.error?.contains("'latest'") == true)
        #expect(warm.hits == 20 && stable.hits == 0)
        await gateway.service.stop()
        await stable.service.stop()
        await warm.service.stop()
    }

    @Test func versionInThePathPinsTheVersion() async throws {
        let stable = try await FakeWorker.start(version: "1.0.0")
        let canary = try await FakeWorker.start(version: "1.1.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100), ("1.1.0", 0)], workers: [stable, canary])])
        let pinned = try await gateway.post("/v2/models/fraud/versions/1.1.0/infer")
        #expect(pinned.status == 200 && pinned.version == "1.1.0")
        let missing = try await gateway.post("/v2/models/fraud/versions/9.9.9/infer")
        #expect(missing.status == 404 && missing.error?.contains("9.9.9") == true)
        let metadata = try await gateway.get("/v2/models/fraud/versions/1.1.0")
        #expect(metadata.status == 200 && metadata.version == "1.1.0")
        await gateway.service.stop()
        await stable.service.stop()
        await canary.service.stop()
    }

    @Test func unknownEndpointIs404NamingIt() async throws {
        let worker = try await FakeWorker.start(version: "1.0.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100)], workers: [worker])])
        let reply = try await gateway.post("/v2/models/nosuch/infer")
        #expect(reply.status == 404)
        #expect(reply.error?.contains("'nosuch'") == true && reply.error?.contains("fraud") == true, "\(reply.body)")
        #expect(try await gateway.get("/v2/models/nosuch/ready").status == 404)
        #expect(worker.hits == 0)
        await gateway.service.stop()
        await worker.service.stop()
    }

    @Test func versionWithTrafficButNoWorkersIs503NamingIt() async throws {
        let stable = try await FakeWorker.start(version: "1.0.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 50), ("1.1.0", 50)], workers: [stable])])
        let reply = try await gateway.post("/v2/models/fraud/infer", headers: ["x-nightjar-version": "1.1.0"])
        #expect(reply.status == 503)
        #expect(reply.error?.contains("1.1.0") == true, "\(reply.body)")
        #expect(try await gateway.get("/v2/health/ready").status == 503)
        await gateway.service.stop()
        await stable.service.stop()
    }

    @Test func clientErrorsAndServerErrorsPassThroughAndAreNotRetried() async throws {
        let a = try await FakeWorker.start(version: "1.0.0")
        let b = try await FakeWorker.start(version: "1.0.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100)], workers: [a, b])])
        let rejected = try await gateway.post("/v2/models/fraud/infer", body: #"{"inputs":"reject"}"#)
        #expect(rejected.status == 400 && rejected.error == "input marked reject")
        #expect(a.hits + b.hits == 1)
        let exploded = try await gateway.post("/v2/models/fraud/infer", body: #"{"inputs":"explode"}"#)
        #expect(exploded.status == 500 && exploded.error == "worker exploded")
        #expect(a.hits + b.hits == 2)
        await gateway.service.stop()
        await a.service.stop()
        await b.service.stop()
    }

    @Test func bodyIsForwardedByteForByteToTheModelBehindTheEndpoint() async throws {
        let worker = try await FakeWorker.start(model: "fraud", version: "1.0.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100)], workers: [worker], endpoint: "fraud-prod", model: "fraud")])
        // Spacing and key order a re-encoder would change.
        let body = "{ \"inputs\" : [ {\"name\":\"features\", \"shape\":[1,2], \"datatype\":\"FP32\", \"data\":[0.50, 1.5e0]} ],\n  \"id\" : \"exact\" }"
        let reply = try await gateway.post("/v2/models/fraud-prod/infer", body: body, headers: ["x-nightjar-key": "user-7"])
        #expect(reply.status == 200)
        #expect(reply.headers["x-request-bytes"] == String(body.utf8.count))
        #expect(reply.headers["x-seen-key"] == "user-7")
        #expect(reply.version == "1.0.0")
        let answer = try JSONDecoder().decode(InferResponse.self, from: Data(reply.body.utf8))
        #expect(answer.id == "exact" && answer.model_name == "fraud")
        await gateway.service.stop()
        await worker.service.stop()
    }

    @Test func mlflowInvocationsNameTheEndpointInAHeaderOrThePath() async throws {
        let worker = try await FakeWorker.start(version: "1.0.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100)], workers: [worker])])
        let body = #"{"inputs": [[1, 2]]}"#
        let byHeader = try await gateway.post("/invocations", body: body, headers: ["x-nightjar-endpoint": "fraud"])
        #expect(byHeader.status == 200 && byHeader.version == "1.0.0")
        #expect(byHeader.body.contains(String(body.utf8.count)))
        let byPath = try await gateway.post("/endpoints/fraud/invocations", body: body)
        #expect(byPath.status == 200 && byPath.version == "1.0.0")
        let anonymous = try await gateway.post("/invocations", body: body)
        #expect(anonymous.status == 400 && anonymous.error?.contains("x-nightjar-endpoint") == true)
        await gateway.service.stop()
        await worker.service.stop()
    }

    @Test func healthAndModelMetadata() async throws {
        let worker = try await FakeWorker.start(version: "1.0.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100)], workers: [worker])])
        #expect(try await gateway.get("/v2/health/live").status == 200)
        #expect(try await gateway.get("/v2/health/ready").status == 200)
        let ready = try await gateway.get("/v2/models/fraud/ready")
        #expect(ready.status == 200 && ready.version == "1.0.0")
        let metadata = try await gateway.get("/v2/models/fraud")
        let decoded = try JSONDecoder().decode(ModelMetadataResponse.self, from: Data(metadata.body.utf8))
        #expect(decoded.name == "fraud" && decoded.versions == ["1.0.0"])
        await gateway.service.stop()
        await worker.service.stop()
    }
}
