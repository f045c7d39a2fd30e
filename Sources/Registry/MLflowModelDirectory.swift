import Foundation
import NightjarCore
import Yams

/// An MLflow model directory (an `MLmodel` file with an `onnx` flavor beside the model file), read
/// for `nightjar import mlflow`: the ONNX bytes, and what MLflow recorded about them as metadata.
public struct MLflowModelDirectory: Sendable {
    public let modelData: Data
    public let metadata: VersionMetadata
    /// MLflow's signature as it wrote it (JSON text of inputs and outputs), kept as tags.
    public let signature: [String: String]

    public init(path: URL) throws {
        let file = path.appendingPathComponent("MLmodel")
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw NightjarError.invalidArgument("\(path.path) is not an MLflow model directory: cannot read \(file.path)")
        }
        let parsed: Any?
        do { parsed = try Yams.load(yaml: text) } catch {
            throw NightjarError.invalidArgument("\(file.path) is not valid YAML: \(error)")
        }
        guard let root = parsed as? [String: Any] else {
            throw NightjarError.invalidArgument("\(file.path) does not hold a YAML mapping")
        }
        let flavors = root["flavors"] as? [String: Any] ?? [:]
        guard let onnx = flavors["onnx"] as? [String: Any] else {
            throw NightjarError.unsupported(
                "\(file.path) has no onnx flavor (flavors: \(flavors.keys.sorted().joined(separator: ", "))); "
                    + "Nightjar serves ONNX: log the model with mlflow.onnx")
        }
        guard let dataName = onnx["data"] as? String, !dataName.contains(".."), !dataName.hasPrefix("/") else {
            throw NightjarError.invalidArgument("\(file.path): flavors.onnx.data must name the model file inside the directory")
        }
        let modelFile = path.appendingPathComponent(dataName)
        do { modelData = try Data(contentsOf: modelFile) } catch {
            throw NightjarError.invalidArgument("\(file.path) names \(dataName), which cannot be read at \(modelFile.path)")
        }

        let extra = root["metadata"] as? [String: Any] ?? [:]
        var tags: [String: String] = [:]
        for key in ["model_uuid", "run_id", "utc_time_created"] {
            if let value = root[key].flatMap(Self.text) { tags["mlflow.\(key)"] = value }
        }
        var metrics: [String: Double] = [:]
        for (key, value) in extra where key != "description" {
            // MLflow metadata is free-form: numbers become metrics, the rest tags.
            if let text = Self.text(value), let number = Double(text), number.isFinite { metrics[key] = number } else if let text = Self.text(value) {
                tags[key] = text
            }
        }
        var signature: [String: String] = [:]
        if let sig = root["signature"] as? [String: Any] {
            for key in ["inputs", "outputs"] { if let value = sig[key] as? String { signature[key] = value } }
        }
        self.signature = signature
        for (key, value) in signature { tags["mlflow.signature.\(key)"] = value }
        let mlflowVersion = root["mlflow_version"].flatMap(Self.text)
        metadata = VersionMetadata(
            description: extra["description"].flatMap(Self.text),
            framework: mlflowVersion.map { "mlflow \($0)" },
            converter: onnx["onnx_version"].flatMap(Self.text).map { "onnx \($0)" },
            tags: tags, metrics: metrics, dataset: nil, gitCommit: nil)
    }

    private static func text(_ value: Any) -> String? {
        switch value {
        case let s as String: s
        case let n as Int: String(n)
        case let d as Double: String(d)
        case let b as Bool: String(b)
        default: nil
        }
    }
}
