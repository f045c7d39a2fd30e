import NightjarCore

/// `ai.onnx.ml.ArrayFeatureExtractor`: picks columns of the last axis by index, any element type.
/// A 1-D input gives one row, as onnxruntime shapes it.
struct ArrayFeatureExtractorKernel: SingleOutputKernel {
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "ArrayFeatureExtractor")
        let x = try args.tensor(0)
        try Shapes.check(x, op: "ArrayFeatureExtractor")
        let picks = try args.tensor(1).data.integers(op: "ArrayFeatureExtractor")
        guard let columns = x.shape.last, !picks.isEmpty else {
            throw .invalidArgument("ArrayFeatureExtractor: needs a non-scalar input and at least one index")
        }
        for p in picks where p < 0 || p >= columns {
            throw .invalidArgument("ArrayFeatureExtractor: index \(p) is outside 0..<\(columns)")
        }
        let rows = columns == 0 ? 0 : x.data.count / columns
        var indices: [Int] = []
        indices.reserveCapacity(rows * picks.count)
        for r in 0..<rows {
            for p in picks { indices.append(r * columns + p) }
        }
        let shape = x.shape.count == 1 ? [1, picks.count] : Array(x.shape.dropLast()) + [picks.count]
        return .tensor(Tensor(shape: shape, data: x.data.gathering(indices)))
    }
}
