import Engine
import Foundation
import NightjarCore
import Testing

/// One fixture: a model exported by skl2onnx, onnxmltools or torch.onnx and onnxruntime's answers for it
/// (scripts/make-fixtures.py).
struct Fixture: Decodable {
    struct Dense: Decodable {
        var shape: [Int]?
        var datatype: String?
        var data: [JSONNumberOrText]?
        var maps: [[String: Double]]?

        /// The input as the tensor a client would send: its declared element type, float by default.
        var tensor: Tensor {
            let values = data ?? []
            let shape = shape ?? []
            func doubles() -> [Double] { values.map { $0.double } }
            switch datatype ?? "FP32" {
            case "FP64": return Tensor(shape: shape, data: .double(doubles()))
            case "INT64": return Tensor(shape: shape, data: .int64(doubles().map { Int64($0) }))
            case "INT32": return Tensor(shape: shape, data: .int32(doubles().map { Int32($0) }))
            case "BOOL": return Tensor(shape: shape, data: .bool(doubles().map { $0 != 0 }))
            case "BYTES": return Tensor(shape: shape, data: .string(values.map { $0.text }))
            default: return Tensor(shape: shape, data: .float(doubles().map { Float($0) }))
            }
        }
    }
    struct Case: Decodable {
        var inputs: [String: Dense]
        var outputs: [String: Dense]
    }
    var model: String
    var cases: [Case]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func load(_ name: String) throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: directory.appendingPathComponent(name + ".json")))
    }

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }
}

/// Labels may be numbers or strings in the expected outputs.
enum JSONNumberOrText: Decodable, Equatable {
    case number(Double)
    case text(String)

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .text(try c.decode(String.self)) }
    }

    /// Non-finite numbers travel as text ("NaN", "Infinity"), since JSON has no spelling for them.
    var double: Double {
        switch self {
        case .number(let d): d
        case .text(let t): Double(t) ?? .nan
        }
    }

    var text: String {
        switch self {
        case .number(let d): String(d)
        case .text(let t): t
        }
    }
}

@Suite struct FixtureTests {
    @Test func everyFixtureIsListed() {
        // 10 linear models, 17 tree ensembles, 4 MLPs, 9 SVMs, 3 pipelines, 5 PyTorch exports and a
        // Gelu graph, 6 XGBoost and LightGBM models, 3 benchmark models: a fixture lost from the
        // folder would otherwise drop out of the parameterized test silently.
        #expect(Fixture.names.count == 58)
    }

    @Test(arguments: Fixture.names)
    func matchesOnnxruntime(_ name: String) throws {
        let fixture = try Fixture.load(name)
        let session = try InferenceSession(contentsOf: Fixture.directory.appendingPathComponent(fixture.model))
        for (caseIndex, c) in fixture.cases.enumerated() {
            var inputs: [String: Tensor] = [:]
            for (inputName, dense) in c.inputs { inputs[inputName] = dense.tensor }
            let outputs = try session.run(inputs)
            #expect(Set(outputs.keys) == Set(c.outputs.keys), "\(name) case \(caseIndex): output names differ")
            for (outputName, expected) in c.outputs {
                let actual = try #require(outputs[outputName])
                compare(actual, expected, "\(name) case \(caseIndex) output \(outputName)")
            }
        }
        print("fixture \(name): largest difference from onnxruntime \(worst.absolute) absolute, \(worst.relative) relative")
    }

    /// The largest absolute and relative differences seen in this test's scores, for the log.
    final class Worst: @unchecked Sendable {  // one test case's own instance, used on one task only
        var absolute = 0.0
        var relative = 0.0
    }
    let worst = Worst()

    func compare(_ actual: Value, _ expected: Fixture.Dense, _ label: String) {
        switch actual {
        case .maps(let rows):
            let maps = expected.maps ?? []
            #expect(rows.rowCount == maps.count, "\(label): row count")
            for (i, want) in maps.enumerated() where i < rows.rowCount {
                let got = rows.row(i)
                #expect(Set(got.keys) == Set(want.keys), "\(label) row \(i): keys")
                for (k, v) in want { #expect(close(Double(got[k] ?? .nan), v), "\(label) row \(i) key \(k): \(got[k] ?? .nan) vs \(v)") }
            }
        case .tensor(let t):
            #expect(t.shape == expected.shape, "\(label): shape \(t.shape) vs \(expected.shape ?? [])")
            let want = expected.data ?? []
            switch t.data {
            case .float(let v):
                #expect(v.count == want.count, "\(label): \(v.count) values vs \(want.count)")
                for (i, (a, e)) in zip(v, want).enumerated() {
                    #expect(close(Double(a), e.double), "\(label)[\(i)]: \(a) vs \(e.double)")
                }
            case .double(let v):
                #expect(v.count == want.count, "\(label): \(v.count) values vs \(want.count)")
                for (i, (a, e)) in zip(v, want).enumerated() {
                    #expect(close(a, e.double), "\(label)[\(i)]: \(a) vs \(e.double)")
                }
            case .int64(let v):
                #expect(v.map { JSONNumberOrText.number(Double($0)) } == want, "\(label): labels differ")
            case .string(let v):
                #expect(v.map { JSONNumberOrText.text($0) } == want, "\(label): labels differ")
            default:
                Issue.record("\(label): unexpected element type \(t.dataType)")
            }
        }
    }

    /// Within 1e-5 relative or 1e-6 absolute; NaN only where onnxruntime says NaN.
    func close(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a == b { return true }
        worst.absolute = max(worst.absolute, abs(a - b))
        if b != 0 { worst.relative = max(worst.relative, abs(a - b) / abs(b)) }
        return abs(a - b) <= max(1e-6, 1e-5 * abs(b))
    }
}
