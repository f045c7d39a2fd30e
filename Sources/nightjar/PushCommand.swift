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
        let result = try await server.client().push(ref, artifact: data, schema: session.schema)
        let v = result.version
        if result.created {
            print("pushed \(v.ref)  sha256 \(v.sha256.prefix(12))  \(ByteCountText.of(v.sizeBytes))")
        } else {
            print("\(v.ref) is already stored with identical bytes (sha256 \(v.sha256.prefix(12))); nothing changed")
        }
    }
}

enum ByteCountText {
    static func of(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return String(format: "%.1f kB", Double(bytes) / 1024) }
        return String(format: "%.1f MB", Double(bytes) / 1024 / 1024)
    }
}
