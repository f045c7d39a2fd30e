import ArgumentParser
import Engine
import Foundation
import NightjarCore
import Registry

/// `nightjar import mlflow PATH --name fraud --version 1.3.0`.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import models from other registries.", subcommands: [MLflow.self])

    struct MLflow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mlflow",
            abstract: "Push an MLflow model directory (MLmodel with an onnx flavor) with its signature and metadata.")

        @Argument(help: "The MLflow model directory (the one holding MLmodel).") var path: String
        @Option(help: "Model name in Nightjar.") var name: String
        @Option(help: "Semantic version in Nightjar, e.g. 1.3.0.") var version: String
        @OptionGroup var server: ServerAddressOption

        func run() async throws {
            let ref = try ModelRef(parsing: "\(name)@\(version)")
            let model = try MLflowModelDirectory(path: URL(fileURLWithPath: path))
            let session: InferenceSession
            do { session = try InferenceSession(modelData: model.modelData) } catch {
                throw CommandFailure("the ONNX model in \(path) cannot be served: \(error)")
            }
            let result = try await server.client().push(ref, artifact: model.modelData, schema: session.schema, metadata: model.metadata)
            print("\(result.created ? "imported" : "already stored:") \(result.version.ref) from \(path) "
                + "(sha256 \(result.version.sha256.prefix(12)), \(model.metadata.framework ?? "mlflow"))")
        }
    }
}
