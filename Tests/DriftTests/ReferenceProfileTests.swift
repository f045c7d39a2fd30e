import Drift
import Foundation
import NightjarCore
import Testing

@Suite struct ReferenceProfileTests {
    @Test func numericColumnsGetQuantileBinsWithEmptyOuterBins() throws {
        var data = SeededData(seed: 1)
        let values = data.normals(5000) + [.nan, .nan, .infinity]
        let profile = NumericProfile(values: values, binCount: 10)
        #expect(profile.edges.count == 11)
        #expect(zip(profile.edges, profile.edges.dropFirst()).allSatisfy { $0 < $1 })
        #expect(profile.counts.count == 12)
        #expect(profile.counts.first == 0 && profile.counts.last == 0)
        // Quantile bins hold about a tenth each.
        for c in profile.counts.dropFirst().dropLast() { #expect(abs(c - 500) <= 1) }
        #expect(profile.count == 5000)
        #expect(profile.missing == 3)
        #expect(profile.sample.count == 2048)
        #expect(profile.sample == profile.sample.sorted())
        #expect(profile.bin(of: -100) == 0)
        #expect(profile.bin(of: 100) == 11)
    }

    @Test func fewDistinctValuesGetOneBinEach() {
        let profile = NumericProfile(values: [1, 1, 1, 2, 2, 3, 3, 3, 3, 3], binCount: 10)
        #expect(profile.edges == [1, 2, 3, 3.0.nextUp])
        #expect(profile.counts == [0, 3, 2, 5, 0])
        #expect(profile.sample == [1, 1, 1, 2, 2, 3, 3, 3, 3, 3])
    }

    @Test func categoricalColumnsKeepTheMostFrequentCategories() {
        let values = Array(repeating: "b", count: 5) + Array(repeating: "a", count: 5) + ["c", "c", "d", "e"]
        let profile = CategoricalProfile(values: values, maxCategories: 3)
        #expect(profile.categories == ["a", "b", "c"])
        #expect(profile.counts == [5, 5, 2])
        #expect(profile.other == 2)
        #expect(profile.binCounts == [5, 5, 2, 2])
    }

    @Test func classLabelsAreCategories() throws {
        let profile = try ReferenceProfile.build(columns: ["x": .numeric([1, 2, 3])],
                                                 outputs: ["label": .labels([0, 1, 1, Int64(0)])])
        let label = try #require(profile.column(named: "label"))
        #expect(label.role == .output)
        #expect(label.kind == .categorical)
        #expect(profile.columns.map(\.name) == ["x", "label"])
    }

    @Test func aNameCannotBeBothFeatureAndOutput() {
        #expect(throws: NightjarError.invalidArgument("column 'y' is given both as a feature and as an output; rename one")) {
            try ReferenceProfile.build(columns: ["y": .numeric([1])], outputs: ["y": .labels([1])])
        }
    }

    @Test func survivesAJSONRoundTrip() throws {
        var data = SeededData(seed: 2)
        let profile = try ReferenceProfile.build(
            columns: ["amount": .numeric(data.normals(300)), "country": .categorical(["DE", "FR", "DE"])],
            outputs: ["label": .labels([0, 1])])
        let json = try JSONEncoder().encode(profile)
        let text = try #require(String(data: json, encoding: .utf8))
        #expect(text.contains("\"kind\":\"numeric\""))
        #expect(text.contains("\"role\":\"output\""))
        #expect(try JSONDecoder().decode(ReferenceProfile.self, from: json) == profile)
    }

    @Test func aDamagedStoredProfileIsRefused() {
        let wrongCounts = #"{"formatVersion":1,"columns":[{"name":"x","role":"feature","kind":"numeric","numeric":{"edges":[1,2],"counts":[0,5],"missing":0,"sample":[1]}}]}"#
        let unsortedEdges = #"{"formatVersion":1,"columns":[{"name":"x","role":"feature","kind":"numeric","numeric":{"edges":[2,1],"counts":[0,5,0],"missing":0,"sample":[1]}}]}"#
        let categories = #"{"formatVersion":1,"columns":[{"name":"c","role":"feature","kind":"categorical","categorical":{"categories":["a","b"],"counts":[1],"other":0}}]}"#
        for json in [wrongCounts, unsortedEdges, categories] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(ReferenceProfile.self, from: Data(json.utf8)) }
        }
    }

    // MARK: CSV

    @Test func csvColumnsAreNumericOrCategoricalByContent() throws {
        let csv = "amount,country,note, age \n12.5,DE,\"hello, world\",30\nNA,FR,\"say \"\"hi\"\"\",\n3e2,DE,plain,41\r\n\n"
        let columns = try CSVColumns.parse(csv)
        guard case .numeric(let amount) = try #require(columns["amount"]) else {
            Issue.record("amount should be numeric")
            return
        }
        #expect(amount.count == 3 && amount[0] == 12.5 && amount[1].isNaN && amount[2] == 300)
        #expect(columns["country"] == .categorical(["DE", "FR", "DE"]))
        #expect(columns["note"] == .categorical(["hello, world", "say \"hi\"", "plain"]))
        guard case .numeric(let age) = try #require(columns["age"]) else {
            Issue.record("age should be numeric")
            return
        }
        #expect(age[0] == 30 && age[1].isNaN && age[2] == 41)
    }

    @Test func csvRaggedRowsNameTheLineAndColumn() {
        #expect(throws: NightjarError.invalidArgument("CSV line 3: 2 fields but the header has 3; column 3 'c' has no value")) {
            try CSVColumns.parse("a,b,c\n1,2,3\n4,5\n")
        }
        #expect(throws: NightjarError.invalidArgument("CSV line 5: 4 fields but the header has 3; field 4 has no column")) {
            try CSVColumns.parse("a,b,c\n1,2,3\n\"multi\nline\",5,6\n7,8,9,10\n")
        }
    }

    @Test func csvStructuralErrorsSayWhere() {
        #expect(throws: NightjarError.invalidArgument("CSV is empty: expected a header row naming the columns")) {
            try CSVColumns.parse("\n\n")
        }
        #expect(throws: NightjarError.invalidArgument("CSV line 1: column name 'a' appears twice (columns 1 and 3)")) {
            try CSVColumns.parse("a,b,a\n1,2,3\n")
        }
        #expect(throws: NightjarError.invalidArgument("CSV line 2, field 2: a quoted field is never closed")) {
            try CSVColumns.parse("a,b\n1,\"open\n")
        }
    }

    @Test func csvBuildsAProfile() throws {
        var rows = ["score,segment"]
        var data = SeededData(seed: 3)
        for i in 0..<500 { rows.append("\(data.normal()),\(i % 3 == 0 ? "gold" : "basic")") }
        let profile = try ReferenceProfile.build(csv: rows.joined(separator: "\n"))
        #expect(try #require(profile.column(named: "score")).kind == .numeric)
        let segment = try #require(profile.column(named: "segment"))
        guard case .categorical(let p) = segment.summary else {
            Issue.record("segment should be categorical")
            return
        }
        #expect(p.categories == ["basic", "gold"])
        #expect(p.counts == [333, 167])
    }

    // MARK: OIP v2 JSON Lines

    @Test func inferenceRequestTensorsBecomeIndexedFeatures() throws {
        let jsonl = """
        {"inputs":[{"name":"features","shape":[2,3],"datatype":"FP32","data":[[1,2,3],[4,5,6]]},{"name":"tier","shape":[2],"datatype":"BYTES","data":["a","b"]}]}

        {"id":"r2","inputs":[{"name":"features","shape":[1,3],"datatype":"FP32","data":[7,8,9]},{"name":"tier","shape":[1],"datatype":"BYTES","data":["a"]}]}
        """
        let columns = try InferenceRequestColumns.parse(jsonLines: jsonl)
        #expect(Set(columns.keys) == ["features[0]", "features[1]", "features[2]", "tier"])
        #expect(columns["features[0]"] == .numeric([1, 4, 7]))
        #expect(columns["features[2]"] == .numeric([3, 6, 9]))
        #expect(columns["tier"] == .categorical(["a", "b", "a"]))
        let profile = try ReferenceProfile.build(inferenceRequestsJSONL: jsonl)
        #expect(profile.columns.count == 4)
    }

    @Test func badInferenceRequestLinesAreNamed() {
        let good = #"{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}"#
        #expect(throws: NightjarError.invalidArgument("JSONL line 2: input 'x': shape [1, 2] needs 2 elements but data has 3")) {
            try InferenceRequestColumns.parse(jsonLines: good + "\n" + #"{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2,3]}]}"#)
        }
        do {
            _ = try InferenceRequestColumns.parse(jsonLines: good + "\n\nnot json\n")
            Issue.record("a line that is not JSON should be refused")
        } catch {
            #expect("\(error)".hasPrefix("JSONL line 3: not an inference request"))
        }
        #expect(throws: NightjarError.self) {
            try InferenceRequestColumns.parse(jsonLines: good + "\n" + #"{"inputs":[{"name":"x","shape":[1,2],"datatype":"BYTES","data":["a","b"]}]}"#)
        }
    }
}
