import AsyncHTTPClient
import Client
import Engine
import Foundation
import Logging
import NightjarCore
import ServiceSupport
import Testing
import Worker

@Suite struct WorkerHTTPTests {
    let row = "[0.5, -1.2, 3.3, 0.0, 2.1, -0.7]"

    @Test func answersAnOIPInferRequest() async throws {
        let worker = try await RunningWorker.start()
        let json = #"{"id":"req-7","inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":\#(row)}]}"#
        let (status, version, body) = try await worker.post("/v2/models/fraud/infer", json: json)
        #expect(status == 200)
        #expect(version == "1.0.0")
        let response = try JSONDecoder().decode(InferResponse.self, from: Data(body.utf8))
        #expect(response.model_name == "fraud")
        #expect(response.model_version == "1.0.0")
        #expect(response.id == "req-7")
        let label = try #require(response.outputs.first { $0.name == "label" })
        #expect(label.datatype == "INT64" && label.shape == [1])
        let probabilities = try #require(response.outputs.first { $0.name == "probabilities" })
        #expect(probabilities.shape == [1, 2])
        let p = probabilities.data.elements.compactMap { if case .double(let d) = $0 { d } else { nil } }
        #expect(p.count == 2 && abs(p.reduce(0, +) - 1) < 1e-5)
        await worker.stop()
    }

    @Test func agreesWithTheEngineRunDirectly() async throws {
        let worker = try await RunningWorker.start()
        let session = try InferenceSession(modelData: Data(contentsOf: RunningWorker.modelFile))
        let values: [Float] = [0.5, -1.2, 3.3, 0.0, 2.1, -0.7, 1, 1, 1, 1, 1, 1]
        let direct = try EngineServable(session: session).predict(["features": Tensor(shape: [2, 6], data: .float(values))])
        let response = try await WorkerClient(baseURL: worker.baseURL).infer(model: "fraud", InferRequest(
            inputs: [InferTensor(name: "features", shape: [2, 6], datatype: "FP32", data: values.map { .double(Double($0)) })]))
        let served = try #require(response.outputs.first { $0.name == "label" })
        #expect(served == InferTensor(name: "label", tensor: try #require(direct["label"])))
        await worker.stop()
    }

    @Test(arguments: [
        (#"{"inputs":[{"name":"feats","shape":[1,6],"datatype":"FP32","data":[1,2,3,4,5,6]}]}"#, "feats"),
        (#"{"inputs":[{"name":"features","shape":[1,5],"datatype":"FP32","data":[1,2,3,4,5]}]}"#, "shape [1, 5]"),
        (#"{"inputs":[{"name":"features","shape":[1,6],"datatype":"INT64","data":[1,2,3,4,5,6]}]}"#, "INT64"),
        (#"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":[1,2,3]}]}"#, "needs 6 elements"),
        (#"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":["a","b","c","d","e","f"]}]}"#, "string"),
        (#"{"inputs":[{"name":"features","shape":[1,6]}]}"#, "datatype"),
        (#"{"inputs": nope}"#, "not valid"),
    ])
    func badRequestsAre400WithAnErrorNamingTheProblem(json: String, mentions: String) async throws {
        let worker = try await RunningWorker.start()
        let (status, _, body) = try await worker.post("/v2/models/fraud/infer", json: json)
        #expect(status == 400)
        let error = try JSONDecoder().decode(ErrorBody.self, from: Data(body.utf8))
        #expect(error.error.contains(mentions), "error was: \(error.error)")
        await worker.stop()
    }

    @Test func wrongModelOrVersionIs404() async throws {
        let worker = try await RunningWorker.start()
        let json = #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":\#(row)}]}"#
        #expect(try await worker.post("/v2/models/other/infer", json: json).status == 404)
        #expect(try await worker.post("/v2/models/fraud/versions/9.9.9/infer", json: json).status == 404)
        #expect(try await worker.post("/v2/models/fraud/versions/1.0.0/infer", json: json).status == 200)
        await worker.stop()
    }

    @Test func oversizedBodyIs413() async throws {
        let worker = try await RunningWorker.start(options: .init(maxBodyBytes: 1024))
        let big = Array(repeating: "1.0", count: 600).joined(separator: ",")
        let json = #"{"inputs":[{"name":"features","shape":[100,6],"datatype":"FP32","data":[\#(big)]}]}"#
        let (status, _, body) = try await worker.post("/v2/models/fraud/infer", json: json)
        #expect(status == 413)
        #expect(body.contains("error"))
        await worker.stop()
    }

    @Test func metadataAndHealth() async throws {
        let worker = try await RunningWorker.start()
        #expect(try await worker.get("/v2/health/live").status == 200)
        #expect(try await worker.get("/v2/health/ready").status == 200)
        #expect(try await worker.get("/v2/models/fraud/ready").status == 200)
        let meta = try JSONDecoder().decode(ModelMetadataResponse.self, from: Data(try await worker.get("/v2/models/fraud").body.utf8))
        #expect(meta.inputs.map(\.name) == ["features"])
        #expect(meta.inputs.first?.shape == [-1, 6])
        #expect(meta.versions == ["1.0.0"])
        await worker.stop()
    }

    @Test func statsAndMetricsCountRequestsAndErrors() async throws {
        let worker = try await RunningWorker.start()
        let good = #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":\#(row)}]}"#
        let bad = #"{"inputs":[{"name":"features","shape":[1,2],"datatype":"FP32","data":[1,2]}]}"#
        for _ in 0..<5 { _ = try await worker.post("/v2/models/fraud/infer", json: good) }
        for _ in 0..<2 { _ = try await worker.post("/v2/models/fraud/infer", json: bad) }

        let stats = try await WorkerClient(baseURL: worker.baseURL).stats()
        #expect(stats.requestsTotal == 7)
        #expect(stats.errorsTotal == 2)
        // The rate is over the stats window: on a slow run the first good requests may already have
        // left it, so the rate is 2 errors over the 7 − k requests still inside (the errors came last).
        let windowRates = (0...4).map { 2.0 / Double(7 - $0) }
        #expect(windowRates.contains { abs(stats.errorRate - $0) < 1e-9 }, "error rate \(stats.errorRate)")
        #expect(stats.latencyMs.p50 > 0)
        #expect(stats.latencyMs.p99 >= stats.latencyMs.p50)

        let metrics = try await worker.get("/metrics").body
        #expect(metrics.contains(#"nightjar_worker_requests_total{model="fraud",version="1.0.0",status="200"} 5"#))
        #expect(metrics.contains(#"nightjar_worker_requests_total{model="fraud",version="1.0.0",status="400"} 2"#))
        #expect(metrics.contains("nightjar_worker_request_duration_seconds_count"))
        await worker.stop()
    }
}
