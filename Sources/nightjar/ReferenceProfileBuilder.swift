import Drift
import Engine
import Foundation
import NightjarCore

/// Builds a version's reference profile from sample traffic: the inputs as given, and the outputs
/// the version itself produces for them, so live predictions are compared with what the model did
/// on the reference data. Input and output columns are named the way the worker's drift window names
/// live values (`features[0]`, `label`, `probabilities[1]`).
enum ReferenceProfileBuilder {
    /// From a file: `.jsonl` of OIP v2 infer requests (inputs and outputs), or `.csv` whose header
    /// names the live columns (inputs only).
    static func build(file: URL, session: InferenceSession) throws -> ReferenceProfile {
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw CommandFailure("cannot read reference data \(file.path): \(error.localizedDescription)")
        }
        switch file.pathExtension.lowercased() {
        case "csv": return try ReferenceProfile.build(csv: text)
        case "jsonl", "ndjson": return try build(requestsJSONL: text, session: session)
        default: throw CommandFailure("reference data \(file.path) must be .csv or .jsonl (OIP v2 infer requests, one per line)")
        }
    }

    static func build(requestsJSONL text: String, session: InferenceSession) throws -> ReferenceProfile {
        let inputs = try InferenceRequestColumns.parse(jsonLines: text)
        var numeric: [String: [Double]] = [:]
        var categorical: [String: [String]] = [:]
        // Blank lines are kept in the split so that `offset + 1` is the line number an error names.
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            let request = try JSONDecoder().decode(InferRequest.self, from: Data(line.utf8))
            var tensors: [String: Tensor] = [:]
            for input in request.inputs { tensors[input.name] = try input.tensor() }
            let outputs: [String: Value]
            do { outputs = try session.run(tensors) } catch {
                throw CommandFailure("reference line \(offset + 1): the model refused it: \(error)")
            }
            for (name, value) in outputs {
                // ZipMap rows repeat the probabilities tensor; only plain tensors are watched.
                guard case .tensor(let tensor) = value else { continue }
                collect(tensor, named: name, numeric: &numeric, categorical: &categorical)
            }
        }
        var outputs: [String: ColumnValues] = [:]
        for (name, values) in numeric { outputs[name] = .numeric(values) }
        for (name, values) in categorical { outputs[name] = .categorical(values) }
        return try ReferenceProfile.build(columns: inputs, outputs: outputs)
    }

    /// Spreads a batch tensor into its columns; integers are class labels, so categories.
    static func collect(_ tensor: Tensor, named name: String, numeric: inout [String: [Double]], categorical: inout [String: [String]]) {
        let width = TensorColumns.width(of: tensor.shape)
        guard width > 0 else { return }
        func column(_ i: Int) -> String { TensorColumns.name(name, index: i % width, shape: tensor.shape) }
        switch tensor.data {
        case .float(let v): for (i, x) in v.enumerated() { numeric[column(i), default: []].append(Double(x)) }
        case .double(let v): for (i, x) in v.enumerated() { numeric[column(i), default: []].append(x) }
        case .int64(let v): for (i, x) in v.enumerated() { categorical[column(i), default: []].append(String(x)) }
        case .int32(let v): for (i, x) in v.enumerated() { categorical[column(i), default: []].append(String(x)) }
        case .bool(let v): for (i, x) in v.enumerated() { categorical[column(i), default: []].append(x ? "true" : "false") }
        case .string(let v): for (i, x) in v.enumerated() { categorical[column(i), default: []].append(x) }
        }
    }
}
