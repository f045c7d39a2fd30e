import NightjarCore

/// The warm-up inference that gates readiness: one row of zeros (empty strings, false) shaped by the
/// schema, so a model that loads but cannot run never reports ready.
public enum WarmUp {
    /// One input per declared input; a dimension of any size (`-1`) becomes 1.
    public static func inputs(for schema: FeatureSchema) -> [String: Tensor] {
        var inputs: [String: Tensor] = [:]
        for spec in schema.inputs {
            let shape = spec.shape.map { $0 < 0 ? 1 : $0 }
            let count = shape.reduce(1, *)
            let data: TensorData
            switch spec.datatype {
            case .fp32: data = .float(Array(repeating: 0, count: count))
            case .fp64: data = .double(Array(repeating: 0, count: count))
            case .int64: data = .int64(Array(repeating: 0, count: count))
            case .int32, .int8, .uint8: data = .int32(Array(repeating: 0, count: count))
            case .bool: data = .bool(Array(repeating: false, count: count))
            case .bytes: data = .string(Array(repeating: "", count: count))
            }
            inputs[spec.name] = Tensor(shape: shape, data: data)
        }
        return inputs
    }

    /// Runs the warm-up and checks every declared output came back.
    public static func run(_ servable: any ServableModel) throws {
        let outputs: [String: Tensor]
        do {
            outputs = try servable.predict(inputs(for: servable.schema))
        } catch {
            throw NightjarError.corrupt("warm-up inference failed, so the worker will not report ready: \(error)")
        }
        for spec in servable.schema.outputs where outputs[spec.name] == nil {
            throw NightjarError.corrupt("warm-up inference gave no output '\(spec.name)', so the worker will not report ready")
        }
    }
}
