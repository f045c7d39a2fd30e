import NightjarCore

/// `ai.onnx.ml.Scaler`: `y = (x - offset) * scale` per column; a single offset or scale applies to all.
struct ScalerKernel: SingleOutputArenaKernel {
    let offset: [Float]
    let scale: [Float]

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        offset = attributes.floats("offset")
        scale = attributes.floats("scale")
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: "Scaler").tensor(0)
        let values = try x.floatValues(op: "Scaler")
        let columns = x.shape.last ?? 1
        if offset.count > 1 && offset.count != columns {
            throw .invalidArgument("Scaler: offset has \(offset.count) values but the input has \(columns) columns")
        }
        if scale.count > 1 && scale.count != columns {
            throw .invalidArgument("Scaler: scale has \(scale.count) values but the input has \(columns) columns")
        }
        guard columns > 0 else { return .tensor(Tensor(shape: x.shape, data: .float([Float](repeating: 0, count: values.count)))) }
        // Row by row with the column as the inner index: no division per element, and the
        // per-column lists (what converters write) are read straight.
        let perColumnOffset = offset.count == columns, perColumnScale = scale.count == columns
        let o0: Float = offset.first ?? 0, s0: Float = scale.first ?? 1
        // Every element is written: the count is whole rows of `columns`.
        let out = values.withUnsafeBufferPointer { v in
            offset.withUnsafeBufferPointer { op in
                scale.withUnsafeBufferPointer { sp in
                    arena.floats(count: v.count) { out in
                        for r in 0..<(v.count / columns) {
                            let b = r * columns
                            for c in 0..<columns {
                                let o = perColumnOffset ? op[c] : o0
                                let s = perColumnScale ? sp[c] : s0
                                out[b + c] = (v[b + c] - o) * s
                            }
                        }
                    }
                }
            }
        }
        return .tensor(Tensor(shape: x.shape, data: .float(out)))
    }
}
