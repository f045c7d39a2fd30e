import Engine
import Foundation
import NightjarCore
import Testing

/// The official ONNX backend node tests (Debian's `libonnx-testdata`) through an allow-list, as
/// tract does: every test named in `Fixtures/conformance-manifest.txt` must load and match its expected
/// outputs; the rest are counted as not listed. `make conformance` runs this suite and also writes
/// the supported-operator table to docs/operators.md.
///
/// Environment:
/// - `NIGHTJAR_ONNX_NODE_TESTS`: the folder of test folders (default: Debian's location).
/// - `NIGHTJAR_OPERATORS_DOC`: where to write the operator table (only `make conformance` sets it).
/// - `NIGHTJAR_CONFORMANCE_ALL=1`: also run unlisted tests and print those that pass, to grow the list.
@Suite struct ConformanceTests {
    /// Kept beside the fixtures, a declared resource folder, so SwiftPM does not warn about it.
    static let manifestURL = Fixture.directory.appendingPathComponent("conformance-manifest.txt")

    static var dataDirectory: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["NIGHTJAR_ONNX_NODE_TESTS"]
            ?? "/usr/share/libonnx-testdata/data/node")
    }

    /// Test names from the manifest: one per line, `#` starts a comment.
    static func manifest() throws -> [String] {
        try String(contentsOf: manifestURL, encoding: .utf8)
            .split(separator: "\n")
            .map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "" }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    @Test func listedBackendTestsPass() throws {
        let fm = FileManager.default
        let env = ProcessInfo.processInfo.environment
        if let path = env["NIGHTJAR_OPERATORS_DOC"] {
            try Self.operatorTable().write(toFile: path, atomically: true, encoding: .utf8)
            print("conformance: wrote the operator table to \(path)")
        }
        guard let available = try? fm.contentsOfDirectory(atPath: Self.dataDirectory.path) else {
            print("conformance: SKIPPED — no ONNX backend tests at \(Self.dataDirectory.path); install Debian's libonnx-testdata (make deps) or set NIGHTJAR_ONNX_NODE_TESTS")
            return
        }
        let listed = try Self.manifest()
        let listedSet = Set(listed)
        var passed = 0
        var failures: [String] = []
        for name in listed {
            guard available.contains(name) else {
                failures.append("\(name): listed, but not in \(Self.dataDirectory.path)")
                continue
            }
            if let problem = Self.check(Self.dataDirectory.appendingPathComponent(name)) {
                failures.append("\(name): \(problem)")
            } else {
                passed += 1
            }
        }
        let notListed = available.filter { !listedSet.contains($0) }.sorted()
        print("conformance: \(passed) passed, \(failures.count) failed, \(notListed.count) not listed")
        for f in failures { print("conformance: FAILED \(f)") }
        if env["NIGHTJAR_CONFORMANCE_ALL"] == "1" {
            var newlyPassing: [String] = []
            for n in notListed {
                if let problem = Self.check(Self.dataDirectory.appendingPathComponent(n)) {
                    print("conformance: unlisted \(n) fails: \(problem.prefix(300))")
                } else {
                    newlyPassing.append(n)
                }
            }
            print("conformance: \(newlyPassing.count) unlisted tests pass and could be listed:")
            for n in newlyPassing { print(n) }
        }
        print(Self.operatorSummary())
        #expect(failures.isEmpty, "\(failures.count) listed backend tests failed: \(failures.prefix(20).joined(separator: "; "))")
    }

    /// Runs one backend test folder; nil when every data set matches, else what went wrong.
    static func check(_ folder: URL) -> String? {
        let session: InferenceSession
        do {
            session = try InferenceSession(contentsOf: folder.appendingPathComponent("model.onnx"))
        } catch {
            return "does not load: \(error)"
        }
        let sets = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasPrefix("test_data_set_") }.sorted()
        guard !sets.isEmpty else { return "has no test data sets" }
        for set in sets {
            let dir = folder.appendingPathComponent(set)
            do {
                var inputs: [String: Tensor] = [:]
                for (i, spec) in session.schema.inputs.enumerated() {
                    let file = dir.appendingPathComponent("input_\(i).pb")
                    guard FileManager.default.fileExists(atPath: file.path) else { continue }  // an omitted optional input
                    inputs[spec.name] = try Tensor(onnxTensorProto: Data(contentsOf: file))
                }
                let outputs = try session.run(inputs)
                for (i, spec) in session.schema.outputs.enumerated() {
                    let expected = try Tensor(onnxTensorProto: Data(contentsOf: dir.appendingPathComponent("output_\(i).pb")))
                    guard case .tensor(let actual) = outputs[spec.name] else { return "\(set): output \(spec.name) is missing or not a tensor" }
                    if let problem = compare(actual, expected) { return "\(set) output \(spec.name): \(problem)" }
                }
            } catch {
                return "\(set): \(error)"
            }
        }
        return nil
    }

    /// The ONNX backend runner's default tolerance: |a − e| ≤ 1e-7 + 1e-3·|e|; NaN matches NaN.
    static func compare(_ actual: Tensor, _ expected: Tensor) -> String? {
        guard actual.shape == expected.shape else { return "shape \(actual.shape), expected \(expected.shape)" }
        func close(_ a: Double, _ e: Double) -> Bool {
            if a.isNaN || e.isNaN { return a.isNaN && e.isNaN }
            if a == e { return true }
            return abs(a - e) <= 1e-7 + 1e-3 * abs(e)
        }
        switch (actual.data, expected.data) {
        case (.float(let a), .float(let e)):
            guard a.count == e.count else { return "\(a.count) values, expected \(e.count)" }
            if let i = a.indices.first(where: { !close(Double(a[$0]), Double(e[$0])) }) { return "element \(i): \(a[i]) vs \(e[i])" }
        case (.double(let a), .double(let e)):
            guard a.count == e.count else { return "\(a.count) values, expected \(e.count)" }
            if let i = a.indices.first(where: { !close(a[$0], e[$0]) }) { return "element \(i): \(a[i]) vs \(e[i])" }
        default:
            if actual.data != expected.data { return "values differ (\(actual.dataType.rawValue) vs \(expected.dataType.rawValue))" }
        }
        return nil
    }

    static func operatorSummary() -> String {
        let ops = InferenceSession.supportedOperators
        return "conformance: \(ops.count) supported operators: "
            + ops.map { "\($0.domain == "ai.onnx" ? "" : $0.domain + ".")\($0.opType) \($0.opsets.lowerBound)–\($0.opsets.upperBound)" }.joined(separator: ", ")
    }

    /// docs/operators.md: generated, so it cannot drift from the operator table.
    static func operatorTable() throws -> String {
        let listed = (try? manifest()) ?? []
        var lines = [
            "# Supported operators",
            "",
            "Generated by `make conformance` from the engine's operator table; do not edit by hand.",
            "A model whose nodes fall outside these (domain, operator, opset) ranges is refused at load time,",
            "naming the operator, node, domain and opset. The conformance manifest",
            "(`Tests/EngineTests/Fixtures/conformance-manifest.txt`) lists \(listed.count) ONNX backend node tests that must pass.",
            "",
            "| domain | operator | opsets |",
            "|---|---|---|",
        ]
        for op in InferenceSession.supportedOperators {
            lines.append("| \(op.domain) | \(op.opType) | \(op.opsets.lowerBound)–\(op.opsets.upperBound) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
