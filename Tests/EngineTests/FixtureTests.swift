import Engine
import Foundation
import NightjarCore
import Testing

/// One fixture: a model exported by skl2onnx and onnxruntime's answers for it (scripts/make-fixtures.py).
struct Fixture: Decodable {
    struct Dense: Decodable {
        var shape: [Int]?
        var data: [JSONNumberOrText]?
        var maps: [[String: Double]]?
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
}

@Suite struct FixtureTests {
    @Test func everyFixtureIsListed() {
        #expect(Fixture.names.count == 10)
    }

    @Test(arguments: Fixture.names)
    func matchesOnnxruntime(_ name: String) throws {
        let fixture = try Fixture.load(name)
        let session = try InferenceSession(contentsOf: Fixture.directory.appendingPathComponent(fixture.model))
        for (caseIndex, c) in fixture.cases.enumerated() {
            var inputs: [String: Tensor] = [:]
            for (inputName, dense) in c.inputs {
                let values = (dense.data ?? []).map { v -> Float in if case .number(let d) = v { Float(d) } else { .nan } }
                inputs[inputName] = Tensor(shape: dense.shape ?? [], data: .float(values))
            }
            let outputs = try session.run(inputs)
            #expect(Set(outputs.keys) == Set(c.outputs.keys), "\(name) case \(caseIndex): output names differ")
            for (outputName, expected) in c.outputs {
                let actual = try #require(outputs[outputName])
                compare(actual, expected, "\(name) case \(caseIndex) output \(outputName)")
            }
        }
    }

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
                for (a, e) in zip(v, want) {
                    guard case .number(let d) = e else { Issue.record("\(label): expected a number"); return }
                    #expect(close(Double(a), d), "\(label): \(a) vs \(d)")
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

    /// Within 1e-5, relative or absolute.
    func close(_ a: Double, _ b: Double) -> Bool {
        abs(a - b) <= 1e-5 * max(1, abs(b))
    }
}
