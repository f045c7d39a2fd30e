import ArgumentParser
import Client
import Engine
import Foundation
import NightjarCore

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push", abstract: "Store a model file in the registry as NAME@VERSION.")

    @Argument(help: "The ONNX model file.") var file: String
    @Option(help: "Model name, e.g. fraud.") var name: String
    @Option(help: "Semantic version, e.g. 1.2.0.") var version: String
    @Option(help: "What this version is for.") var description: String?
    @Option(help: "Training framework, e.g. \"scikit-learn 1.9.1\".") var framework: String?
    @Option(help: "Converter, e.g. \"skl2onnx 1.20.0\".") var converter: String?
    @Option(name: .customLong("tag"), help: "KEY=VALUE, repeatable.") var tags: [String] = []
    @Option(name: .customLong("metric"), help: "Offline evaluation NAME=NUMBER, repeatable (e.g. auc=0.91).") var metrics: [String] = []
    @Option(help: "The version this one was derived from, NAME@X.Y.Z.") var parent: String?
    @Option(help: "The training data, e.g. a URI.") var dataset: String?
    @Option(help: "The commit the model was built from.") var gitCommit: String?
    @Option(name: .customLong("require"), help: "A promotion gate on the metrics, e.g. auc>=0.90; repeatable.") var gates: [String] = []
    @Option(help: "Reference data for drift: .jsonl of OIP infer requests (inputs, and the outputs this version gives them) or .csv.")
    var reference: String?
    @OptionGroup var server: ServerAddressOption

    func run() async throws {
        let ref = try ModelRef(parsing: "\(name)@\(version)")
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw CommandFailure("cannot read model file '\(file)': \(error.localizedDescription)")
        }
        // Loading here refuses a file that is not ONNX, or uses an operator the engine lacks, before it
        // reaches the registry, where a bad version would be immutable.
        let session: InferenceSession
        do {
            session = try InferenceSession(modelData: data)
        } catch {
            throw CommandFailure("'\(file)' cannot be served: \(error)")
        }
        let metadata = VersionMetadata(
            description: description, framework: framework, converter: converter,
            tags: try KeyValueText.pairs(tags, what: "--tag") { $0 },
            metrics: try KeyValueText.pairs(metrics, what: "--metric") { Double($0).flatMap { $0.isFinite ? $0 : nil } },
            parent: try parent.map { try ModelRef(parsing: $0) }, dataset: dataset, gitCommit: gitCommit,
            gates: try gates.map { try MetricGate(parsing: $0) })
        // Built before the push, so bad reference data leaves no version without its profile behind.
        let profile = try reference.map { try ReferenceProfileBuilder.build(file: URL(fileURLWithPath: $0), session: session) }
        let client = server.client()
        let result = try await client.push(ref, artifact: data, schema: session.schema, metadata: metadata)
        if let profile {
            try await client.setReference(ref, profileJSON: try JSONEncoder().encode(profile))
            print("stored a reference profile of \(profile.columns.count) columns for \(ref)")
        }
        let v = result.version
        if result.created {
            print("pushed \(v.ref)  sha256 \(v.sha256.prefix(12))  \(ByteCountText.of(v.sizeBytes))")
        } else {
            print("\(v.ref) is already stored with identical bytes (sha256 \(v.sha256.prefix(12))); nothing changed")
        }
    }
}

/// `KEY=VALUE` options, each value checked by `parse`; errors name the option and the bad pair.
enum KeyValueText {
    static func pairs<V>(_ texts: [String], what: String, _ parse: (String) -> V?) throws -> [String: V] {
        var out: [String: V] = [:]
        for text in texts {
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let value = parse(String(parts[1])) else {
                throw CommandFailure("\(what) '\(text)' must be KEY=VALUE\(V.self == Double.self ? " with a number" : "")")
            }
            out[String(parts[0])] = value
        }
        return out
    }
}

enum ByteCountText {
    static func of(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return String(format: "%.1f kB", Double(bytes) / 1024) }
        return String(format: "%.1f MB", Double(bytes) / 1024 / 1024)
    }
}
