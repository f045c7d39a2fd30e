import NightjarCore

/// `ai.onnx.ml.FeatureVectorizer`: joins several inputs column-wise into one float matrix, each
/// input cut or zero-padded to its declared width.
struct FeatureVectorizerKernel: Kernel {
    let widths: [Int]

    init(_ a: NodeAttributes) throws(NightjarError) {
        widths = a.ints("inputdimensions").map { Int(clamping: $0) }
        guard widths.allSatisfy({ $0 >= 0 && $0 <= 1 << 24 }) else { throw a.invalid("inputdimensions", "has a width outside 0...\(1 << 24)") }
    }

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        let args = KernelInputs(values: inputs, op: "FeatureVectorizer")
        guard inputs.count == widths.count, !inputs.isEmpty else {
            throw .invalidArgument("FeatureVectorizer: \(inputs.count) inputs for \(widths.count) declared widths")
        }
        let total = widths.reduce(0, +)
        var rows = -1
        var out: [Float] = []
        var offset = 0
        for (i, width) in widths.enumerated() {
            let t = try args.tensor(i)
            try Shapes.check(t, op: "FeatureVectorizer")
            let values = try t.floatValues(op: "FeatureVectorizer")
            let r = t.shape.count <= 1 ? 1 : t.shape[0]
            let columns = r == 0 ? 0 : values.count / r
            if rows < 0 {
                rows = r
                out = [Float](repeating: 0, count: rows * total)
            }
            guard r == rows else { throw .invalidArgument("FeatureVectorizer: inputs have \(rows) and \(r) rows") }
            for row in 0..<rows {
                for c in 0..<min(width, columns) { out[row * total + offset + c] = values[row * columns + c] }
            }
            offset += width
        }
        return [.tensor(Tensor(shape: [max(rows, 0), total], data: .float(out)))]
    }
}
