import Foundation
import NIOCore
@testable import Gateway
import NightjarCore
import Testing

@Suite struct ShadowTests {
    @Test func mirroredCopiesAreComparedButNeverAnswered() async throws {
        let primary = try await FakeWorker.start(version: "1.0.0", label: 1, score: 0.25)
        let shadow = try await FakeWorker.start(version: "1.1.0", label: 1, score: 0.75)
        let route = try GatewayFixtures.route([("1.0.0", 100), ("1.1.0", 0)], workers: [primary, shadow],
                                              shadow: ShadowRoute(version: SemVer(1, 1, 0), percent: 100))
        let gateway = try await RunningGateway.start([route])
        let requests = 40
        for _ in 0..<requests {
            let reply = try await gateway.post("/v2/models/fraud/infer")
            #expect(reply.status == 200 && reply.version == "1.0.0")
        }
        // Mirrors finish off the response path; wait for them, bounded.
        var stats = gateway.router.shadowStats(endpoint: "fraud")
        let deadline = ContinuousClock.now + .seconds(30)
        while (stats?.compared ?? 0) < requests, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(25))
            stats = gateway.router.shadowStats(endpoint: "fraud")
        }
        let s = try #require(stats)
        #expect(s.version == SemVer(1, 1, 0))
        #expect(s.mirrored == requests && s.compared == requests && s.shadowErrors == 0 && s.dropped == 0)
        #expect(s.agreementRate == 1)
        #expect(abs(s.meanAbsoluteDifference - 0.5) < 1e-9)
        #expect(s.shadowLatencyMs.max > 0)
        #expect(shadow.hits == requests)
        // Clients' stats count only what clients saw.
        #expect(gateway.router.stats(endpoint: "fraud")[SemVer(1, 1, 0)] == nil)
        await gateway.service.stop()
        await primary.service.stop()
        await shadow.service.stop()
    }

    @Test func disagreeingLabelsAndFailingShadowsAreCounted() async throws {
        let primary = try await FakeWorker.start(version: "1.0.0", label: 1)
        let shadow = try await FakeWorker.start(version: "2.0.0", label: 0)
        let route = try GatewayFixtures.route([("1.0.0", 100), ("2.0.0", 0)], workers: [primary, shadow],
                                              shadow: ShadowRoute(version: SemVer(2, 0, 0), percent: 100))
        let gateway = try await RunningGateway.start([route])
        for _ in 0..<10 { _ = try await gateway.post("/v2/models/fraud/infer") }
        var stats = gateway.router.shadowStats(endpoint: "fraud")
        for _ in 0..<200 where (stats?.compared ?? 0) < 10 {
            try await Task.sleep(for: .milliseconds(25))
            stats = gateway.router.shadowStats(endpoint: "fraud")
        }
        #expect(stats?.compared == 10 && stats?.agreementRate == 0)

        await shadow.service.stop()
        for _ in 0..<5 { #expect(try await gateway.post("/v2/models/fraud/infer").status == 200) }
        for _ in 0..<200 where (stats?.shadowErrors ?? 0) < 5 {
            try await Task.sleep(for: .milliseconds(25))
            stats = gateway.router.shadowStats(endpoint: "fraud")
        }
        #expect(stats?.shadowErrors == 5 && stats?.mirrored == 15)
        await gateway.service.stop()
        await primary.service.stop()
    }

    @Test func comparisonSeparatesLabelsFromScores() {
        func answer(_ label: Int64, _ scores: [Double]) -> InferResponse {
            InferResponse(modelName: "m", modelVersion: "1.0.0", id: nil, outputs: [
                InferTensor(name: "label", shape: [1], datatype: "INT64", data: [.int(label)]),
                InferTensor(name: "probabilities", shape: [1, scores.count], datatype: "FP32", data: scores.map { .double($0) }),
            ])
        }
        let same = ShadowComparison.compare(primary: answer(1, [0.2, 0.8]), shadow: answer(1, [0.3, 0.7]))
        #expect(same.agrees && same.comparedElements == 2 && abs(same.absoluteDifferenceSum - 0.2) < 1e-9)
        #expect(!ShadowComparison.compare(primary: answer(1, [0.2, 0.8]), shadow: answer(0, [0.2, 0.8])).agrees)
        #expect(!ShadowComparison.compare(primary: answer(1, [0.2, 0.8]), shadow: answer(1, [0.2])).agrees)
        let notAnswers = WorkerAnswer(worker: "w", status: 200, headers: [:], body: ByteBuffer(string: "{}"))
        #expect(ShadowComparison.compare(primary: notAnswers, shadow: notAnswers) == nil)
    }

    /// A client asking for binary outputs (tritonclient's default) gets its answers compared too:
    /// the binary tensors read as the JSON form would carry them.
    @Test func binaryAnswersAreComparedLikeJSONOnes() throws {
        func binary(_ label: Int64, _ scores: [Float]) -> WorkerAnswer {
            let header = #"{"model_name":"m","model_version":"1.0.0","outputs":["#
                + #"{"name":"label","shape":[1],"datatype":"INT64","parameters":{"binary_data_size":8}},"#
                + #"{"name":"probabilities","shape":[1,\#(scores.count)],"datatype":"FP32","parameters":{"binary_data_size":\#(4 * scores.count)}}]}"#
            var body = ByteBuffer(string: header)
            body.writeInteger(label, endianness: .little)
            for score in scores { body.writeInteger(score.bitPattern, endianness: .little) }
            return WorkerAnswer(worker: "w", status: 200, headers: ["Inference-Header-Content-Length": "\(header.utf8.count)"], body: body)
        }
        let json = WorkerAnswer(worker: "w", status: 200, headers: [:], body: ByteBuffer(string:
            #"{"model_name":"m","model_version":"1.1.0","outputs":[{"name":"label","shape":[1],"datatype":"INT64","data":[1]},"#
            + #"{"name":"probabilities","shape":[1,2],"datatype":"FP32","data":[0.25,0.75]}]}"#))
        let mixed = try #require(ShadowComparison.compare(primary: binary(1, [0.5, 0.5]), shadow: json))
        #expect(mixed.agrees && mixed.comparedElements == 2 && abs(mixed.absoluteDifferenceSum - 0.5) < 1e-9)
        #expect(try #require(ShadowComparison.compare(primary: binary(1, [0.5, 0.5]), shadow: binary(0, [0.5, 0.5]))).agrees == false)
        // A binary part shorter than its header says cannot be compared, rather than read past its end.
        var short = binary(1, [0.5, 0.5])
        short.body = short.body.getSlice(at: 0, length: short.body.readableBytes - 2)!
        #expect(ShadowComparison.compare(primary: short, shadow: json) == nil)
    }
}
