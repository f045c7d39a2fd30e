import Foundation
import NightjarCore
import Testing
import Worker

@Suite struct BatchingTests {
    /// Eight callers at once, with a queue delay long enough that they all wait together: their rows go
    /// through fewer engine calls than requests, and each caller gets exactly its own rows back.
    @Test func concurrentRequestsAreMergedAndSplitBack() async throws {
        let options = WorkerOptions(batching: .init(maxBatchRows: 12, maxQueueDelay: .seconds(2), maxQueue: 64))
        let worker = try await RunningWorker.start(options: options)
        let direct = try RunningWorker.fraudModel()
        // Callers send 1, 2 or 3 rows each; 8 callers = 15 rows, so at least two engine calls.
        let requests: [[[Double]]] = (0..<8).map { c in (0...(c % 3)).map { r in (0..<6).map { Double(c * 10 + r) + Double($0) / 10 } } }
        let answers = try await withThrowingTaskGroup(of: (Int, InferResponse).self) { group in
            for (i, rows) in requests.enumerated() {
                group.addTask {
                    let a = try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest(rows, id: "caller-\(i)"))
                    return (i, try JSONDecoder().decode(InferResponse.self, from: Data(a.body.utf8)))
                }
            }
            var out: [Int: InferResponse] = [:]
            for try await (i, r) in group { out[i] = r }
            return out
        }
        for (i, rows) in requests.enumerated() {
            let response = try #require(answers[i])
            #expect(response.id == "caller-\(i)")
            let alone = try direct.predict(["features": Tensor(shape: [rows.count, 6], data: .float(rows.flatMap { $0.map { Float($0) } }))])
            for output in response.outputs {
                #expect(try output.tensor() == alone[output.name], "caller \(i) output \(output.name)")
            }
        }
        let sizes = try #require(worker.stats.snapshot().batchSizes)
        #expect(sizes.keys.contains { (Int($0) ?? 0) > 3 }, "no engine call merged requests: \(sizes)")
        #expect(sizes.reduce(0) { $0 + (Int($1.key) ?? 0) * $1.value } == 15, "rows through the engine: \(sizes)")
        #expect(sizes.values.reduce(0, +) < 8, "as many engine calls as requests: \(sizes)")
        await worker.stop()
    }

    @Test func aFullQueueAnswers503WithRetryAfter() async throws {
        let options = WorkerOptions(batching: .init(maxBatchRows: 64, maxQueueDelay: .seconds(2), maxQueue: 1))
        let worker = try await RunningWorker.start(options: options)
        let first = Task { try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[1, 2, 3, 4, 5, 6]])) }
        for _ in 0..<400 where worker.routes.batcher.queueDepth == 0 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(worker.routes.batcher.queueDepth == 1)
        #expect(worker.stats.snapshot().queueDepth == 1)
        let second = try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[1, 2, 3, 4, 5, 6]]))
        #expect(second.status == 503)
        #expect(second.headers.first(name: "Retry-After") == "1")
        #expect(try second.error().contains("queue is full"))
        #expect(try await first.value.status == 200)
        await worker.stop()
    }

    @Test func modelsWithSeveralInputsBatchToo() async throws {
        let options = WorkerOptions(batching: .init(maxBatchRows: 4, maxQueueDelay: .seconds(2), maxQueue: 64))
        let worker = try await RunningWorker.start(options: options, servable: ScoringModel(), model: "scoring@1.0.0")
        let answers = try await withThrowingTaskGroup(of: (Double, InferResponse).self) { group in
            for amount in [1.0, 2, 3, 4] {
                group.addTask {
                    let json = #"{"inputs":[{"name":"amount","shape":[1,1],"datatype":"FP64","data":[\#(amount)]},{"name":"country","shape":[1,1],"datatype":"BYTES","data":["NZ"]}]}"#
                    let a = try await worker.post("/v2/models/scoring/infer", body: json)
                    return (amount, try JSONDecoder().decode(InferResponse.self, from: Data(a.body.utf8)))
                }
            }
            var out: [(Double, InferResponse)] = []
            for try await r in group { out.append(r) }
            return out
        }
        for (amount, response) in answers {
            #expect(try response.outputs.first { $0.name == "score" }?.tensor() == Tensor(shape: [1], data: .double([amount * 2])))
        }
        #expect(worker.stats.snapshot().batchSizes == ["4": 1])
        await worker.stop()
    }
}
