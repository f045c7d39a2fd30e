import Foundation
import NightjarCore
import Testing
import Worker

/// MLflow's scoring protocol gives the same predictions as the Open Inference Protocol.
@Suite struct MLflowScoringTests {
    let rows: [[Double]] = [[0.5, -1.2, 3.3, 0.0, 2.1, -0.7], [1, 1, 1, 1, 1, 1]]

    struct Record: Decodable, Equatable {
        var label: Int64
        var probabilities: [Double]
    }
    struct Predictions<T: Decodable>: Decodable { var predictions: T }

    /// What OIP answers for the same rows, as MLflow records.
    func expected(_ worker: RunningWorker) async throws -> [Record] {
        let answer = try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest(rows))
        let response = try JSONDecoder().decode(InferResponse.self, from: Data(answer.body.utf8))
        let labels = try #require(response.outputs.first { $0.name == "label" }).data.elements
        let probabilities = try #require(response.outputs.first { $0.name == "probabilities" }).data.elements
        func double(_ s: JSONScalar) -> Double { if case .double(let d) = s { d } else if case .int(let i) = s { Double(i) } else { .nan } }
        return labels.enumerated().map { i, l in
            Record(label: { if case .int(let v) = l { v } else { -1 } }(), probabilities: [double(probabilities[2 * i]), double(probabilities[2 * i + 1])])
        }
    }

    func matrix(_ rows: [[Double]]) -> String { "[" + rows.map { "[" + $0.map { String($0) }.joined(separator: ",") + "]" }.joined(separator: ",") + "]" }

    @Test func everyJSONFormatAndCSVGiveTheSamePredictions() async throws {
        let worker = try await RunningWorker.start()
        let want = try await expected(worker)
        let columns = #"["f0","f1","f2","f3","f4","f5"]"#
        let bodies: [(String, String, String)] = [
            ("dataframe_split", #"{"dataframe_split":{"columns":\#(columns),"data":\#(matrix(rows))}}"#, "application/json"),
            ("dataframe_split without columns", #"{"dataframe_split":{"data":\#(matrix(rows))}}"#, "application/json"),
            ("instances", #"{"instances":\#(matrix(rows))}"#, "application/json"),
            ("inputs as a list", #"{"inputs":\#(matrix(rows))}"#, "application/json"),
            ("inputs by name", #"{"inputs":{"features":\#(matrix(rows))}}"#, "application/json"),
            ("csv with header", "f0,f1,f2,f3,f4,f5\n" + rows.map { $0.map { String($0) }.joined(separator: ",") }.joined(separator: "\n"), "text/csv"),
            ("csv without header", rows.map { $0.map { String($0) }.joined(separator: ",") }.joined(separator: "\r\n") + "\r\n", "text/csv; charset=utf-8"),
        ]
        for (name, body, type) in bodies {
            let answer = try await worker.post("/invocations", body: body, contentType: type)
            #expect(answer.status == 200, "\(name): \(answer.body)")
            #expect(answer.version == "1.0.0", "\(name)")
            let got = try JSONDecoder().decode(Predictions<[Record]>.self, from: Data(answer.body.utf8)).predictions
            #expect(got == want, "\(name)")
        }
        await worker.stop()
    }

    @Test func recordsAndInstancesFeedNamedInputs() async throws {
        let worker = try await RunningWorker.start(servable: ScoringModel(), model: "scoring@1.0.0")
        struct Row: Decodable, Equatable { var score: Double; var domestic: Bool }
        let want = [Row(score: 20, domestic: true), Row(score: 5, domestic: false)]
        for body in [
            #"{"dataframe_records":[{"amount":10,"country":"NZ"},{"amount":5,"country":"FR"}]}"#,
            #"{"dataframe_split":{"columns":["country","amount"],"data":[["NZ",10],["FR",5.0]]}}"#,
            #"{"instances":[{"amount":10,"country":"NZ"},{"amount":5,"country":"FR"}]}"#,
            #"{"inputs":{"amount":[[10],[5]],"country":[["NZ"],["FR"]]}}"#,
        ] {
            let answer = try await worker.post("/invocations", body: body)
            #expect(answer.status == 200, "\(body): \(answer.body)")
            #expect(try JSONDecoder().decode(Predictions<[Row]>.self, from: Data(answer.body.utf8)).predictions == want, "\(body)")
        }
        let csv = try await worker.post("/invocations", body: "amount,country\n10,NZ\n5,FR\n", contentType: "text/csv")
        #expect(try JSONDecoder().decode(Predictions<[Row]>.self, from: Data(csv.body.utf8)).predictions == want)
        await worker.stop()
    }

    @Test(arguments: [
        (#"{"rows":[[1,2,3,4,5,6]]}"#, "names none of"),
        (#"{"instances":[[1,2,3,4,5,6]],"inputs":[[1,2,3,4,5,6]]}"#, "more than one format"),
        (#"{"instances":[[1,2,3,4,5]]}"#, "input 'features': shape [1, 5] given, [N, 6] expected"),
        (#"{"instances":[[1,2,3,4,5,6],[1,2]]}"#, "not a rectangular array"),
        (#"{"dataframe_records":[{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}]}"#, "records carry no column order"),
        (#"{"dataframe_split":{"columns":["a","b"],"data":[[1,2,3]]}}"#, "3 values for 2 columns"),
        (#"{"instances":[["a","b","c","d","e","f"]]}"#, "input 'features': element 0 is a string"),
        (#"[1,2,3]"#, "must be a JSON object"),
        (#"{"instances": nope}"#, "not valid JSON"),
    ])
    func badScoringRequestsAre400(json: String, mentions: String) async throws {
        let worker = try await RunningWorker.start()
        let answer = try await worker.post("/invocations", body: json)
        #expect(answer.status == 400, "\(answer.body)")
        #expect(try answer.error().contains(mentions), "\(answer.body)")
        await worker.stop()
    }

    @Test func aCSVBodyWithAnEmptyCellNamesItsRowAndColumn() async throws {
        let worker = try await RunningWorker.start()
        for (body, mentions) in [("1,2,3,4,5,6\n1,2,,4,5,6\n", "CSV row 2, column 3, is empty"),
                                 ("f0,f1,f2,f3,f4,f5\n1,2,3,4,5,\n", "CSV row 1 after the header, column 6 'f5', is empty")] {
            let answer = try await worker.post("/invocations", body: body, contentType: "text/csv")
            #expect(answer.status == 400, "\(answer.body)")
            #expect(try answer.error().contains(mentions), "\(answer.body)")
        }
        await worker.stop()
    }

    @Test func pingHealthAndVersion() async throws {
        let worker = try await RunningWorker.start()
        for path in ["/ping", "/health", "/version", "/v1/stats", "/v2/health/live"] {
            let answer = try await worker.getAnswer(path)
            #expect(answer.status == 200, "\(path)")
            #expect(answer.version == "1.0.0", "\(path) lacks Nightjar-Model-Version")
        }
        #expect(try await worker.get("/version").body.contains(#""model_version":"1.0.0""#))
        await worker.stop()
    }
}
