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

    /// The spot check's inputs as an Open Inference Protocol request, for asking a worker.
    public static func request(_ inputs: [String: Tensor]) -> InferRequest {
        InferRequest(id: "nightjar-spot-check", inputs: inputs.keys.sorted().compactMap { name in
            inputs[name].map { InferTensor(name: name, tensor: $0) }
        })
    }

    /// A worker's answer printed the way the local engine's is, so the two compare value by value.
    public static func outputs(of response: InferResponse) -> Result<[SpotCheck.Output], FetchFailure> {
        do {
            return .success(try response.outputs.sorted { $0.name < $1.name }.map { output throws(NightjarError) in
                SpotCheck.Output(name: output.name, values: printed(try output.tensor()))
            })
        } catch {
            return .failure(FetchFailure("the worker's answer could not be read: \(error.description)"))
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
