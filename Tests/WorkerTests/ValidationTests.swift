import Foundation
import NightjarCore
import Testing
import Worker

/// Every bad request is a 400 (or 413) naming the input and what was expected, never a 500.
@Suite struct ValidationTests {
    @Test(arguments: [
        ("missing", #"{"inputs":[]}"#, "missing input 'features' (FP32 [N, 6])"),
        ("extra", #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":[1,2,3,4,5,6]},{"name":"age","shape":[1],"datatype":"FP32","data":[3]}]}"#, "unknown input 'age'"),
        ("datatype", #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP64","data":[1,2,3,4,5,6]}]}"#, "input 'features': datatype FP64 given, FP32 expected"),
        ("shape", #"{"inputs":[{"name":"features","shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6]}]}"#, "input 'features': shape [2, 3] given, [N, 6] expected"),
        ("rank", #"{"inputs":[{"name":"features","shape":[6],"datatype":"FP32","data":[1,2,3,4,5,6]}]}"#, "shape [6] given"),
        ("non-finite", #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":[1,2,1e39,4,5,6]}]}"#, "input 'features': element 2 is not a finite number"),
        ("NaN as text", #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":[1,"NaN",3,4,5,6]}]}"#, "input 'features': element 1 is a string"),
        ("no rows", #"{"inputs":[{"name":"features","shape":[0,6],"datatype":"FP32","data":[]}]}"#, "has no rows"),
        ("duplicate", #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":[1,2,3,4,5,6]},{"name":"features","shape":[1,6],"datatype":"FP32","data":[1,2,3,4,5,6]}]}"#, "more than once"),
        ("unknown output", #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":[1,2,3,4,5,6]}],"outputs":[{"name":"score"}]}"#, "requested output 'score' does not exist"),
        ("not JSON", #"{"inputs": [ }"#, "not valid"),
        ("ragged", #"{"inputs":[{"name":"features","shape":[2,6],"datatype":"FP32","data":[[1,2,3,4,5,6],[1]]}]}"#, "needs 12 elements but data has 7"),
        ("ragged, right count", #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":[[1],[2,3,4,5,6]]}]}"#,
         "input 'features': data is ragged"),
        ("nested as another shape", #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":[[1,2,3],[4,5,6]]}]}"#,
         "input 'features': data is nested as [2, 3] but shape is [1, 6]"),
        ("rows in one array", #"{"inputs":[{"name":"features","shape":[2,6],"datatype":"FP32","data":[[1,2,3,4,5,6,1,2,3,4,5,6]]}]}"#,
         "input 'features': data is nested as [1, 12] but shape is [2, 6]"),
        ("values at two depths", #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":[[1,2,3,4,5],6]}]}"#,
         "input 'features': data is ragged"),
        // `null` sends the body past the fast reader to JSONDecoder, which must check the same.
        ("nested wrongly, decoded by JSONDecoder", #"{"id":null,"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":[[1,2,3],[4,5,6]]}]}"#,
         "input 'features': data is nested as [2, 3] but shape is [1, 6]"),
    ])
    func badOIPRequestIs400NamingTheProblem(_ case: String, json: String, mentions: String) async throws {
        let worker = try await RunningWorker.start()
        let answer = try await worker.post("/v2/models/fraud/infer", body: json)
        #expect(answer.status == 400, "\(`case`): \(answer.body)")
        #expect(try answer.error().contains(mentions), "\(`case`): \(answer.body)")
        #expect(answer.version == "1.0.0")
        await worker.stop()
    }

    @Test func inputsThatDisagreeOnRowsAre400() async throws {
        let worker = try await RunningWorker.start(servable: ScoringModel(), model: "scoring@1.0.0")
        let json = #"{"inputs":[{"name":"amount","shape":[2,1],"datatype":"FP64","data":[1,2]},{"name":"country","shape":[1,1],"datatype":"BYTES","data":["NZ"]}]}"#
        let answer = try await worker.post("/v2/models/scoring/infer", body: json)
        #expect(answer.status == 400)
        #expect(try answer.error().contains("inputs disagree on the number of rows"))
        await worker.stop()
    }

    @Test func nonFiniteNumbersPassWhenAllowed() async throws {
        let worker = try await RunningWorker.start(options: .init(allowNonFinite: true))
        let answer = try await worker.post("/v2/models/fraud/infer", body: #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":[1,2,1e39,4,5,6]}]}"#)
        #expect(answer.status == 200, "\(answer.body)")
        await worker.stop()
    }

    @Test func bodyLimitIsConfigurableAndAnswers413() async throws {
        let worker = try await RunningWorker.start(options: .init(maxBodyBytes: 200))
        let small = try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[1, 2, 3, 4, 5, 6]]))
        #expect(small.status == 200)
        let big = try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest(Array(repeating: [1, 2, 3, 4, 5, 6], count: 20)))
        #expect(big.status == 413)
        #expect(try big.error().contains("200 bytes") || big.error().contains("larger"))
        let mlflow = try await worker.post("/invocations", body: "1,2,3,4,5,6\n" + String(repeating: "1,2,3,4,5,6\n", count: 30), contentType: "text/csv")
        #expect(mlflow.status == 413)
        await worker.stop()
    }
}
