import Engine
import Foundation
import NightjarCore

/// Runs a spot check in the console's own process: the artifact's bytes through the same engine
/// the workers use, so what is shown is what the version computes, without touching its traffic.
public enum SpotCheckEngine {
    public static func run(modelData: Data, inputs: [String: Tensor]) -> Result<[SpotCheck.Output], FetchFailure> {
        do {
            let session = try InferenceSession(modelData: modelData)
            try session.schema.validate(inputs)
            let values = try session.run(inputs)
            return .success(values.keys.sorted().compactMap { name in
                values[name].map { SpotCheck.Output(name: name, values: printed($0.servedTensor())) }
            })
        } catch {
            return .failure(FetchFailure(error.description))
        }
    }

    static func printed(_ tensor: Tensor) -> [String] {
        switch tensor.data {
        case .float(let v): v.map { String(format: "%.6g", Double($0)) }
        case .double(let v): v.map { String(format: "%.6g", $0) }
        case .int64(let v): v.map(String.init)
        case .int32(let v): v.map(String.init)
        case .bool(let v): v.map(String.init)
        case .string(let v): v
        }
    }
}
