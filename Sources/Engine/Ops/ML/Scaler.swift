import NightjarCore

/// `ai.onnx.ml.Scaler`: `y = (x - offset) * scale` per column; a single offset or scale applies to all.
struct ScalerKernel: Kernel {
    let offset: [Float]
    let scale: [Float]

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        offset = attributes.floats("offset")
        scale = attributes.floats("scale")
    }

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        let x = try KernelInputs(values: inputs, op: "Scaler").tensor(0)
        let values = try x.floatValues(op: "Scaler")
        let columns = x.shape.last ?? 1
        for (name, list) in [("offset", offset), ("scale", scale)] where list.count > 1 && list.count != columns {
            throw .invalidArgument("Scaler: \(name) has \(list.count) values but the input has \(columns) columns")
        }
        var out = [Float](repeating: 0, count: values.count)
        for i in 0..<values.count {
            let c = columns == 0 ? 0 : i % columns
            let o = offset.isEmpty ? 0 : offset[offset.count == 1 ? 0 : c]
            let s = scale.isEmpty ? 1 : scale[scale.count == 1 ? 0 : c]
            out[i] = (values[i] - o) * s
        }
        return [.tensor(Tensor(shape: x.shape, data: .float(out)))]
    }
}
