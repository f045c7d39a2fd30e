import Foundation
import NightjarCore

/// `ai.onnx.ml.Normalizer`: each row divided by its max, its L1 norm, or its L2 norm.
/// A row whose norm is zero is left as it is rather than turned into NaN.
struct NormalizerKernel: SingleOutputArenaKernel {
    enum Norm: String { case max = "MAX", l1 = "L1", l2 = "L2" }
    let norm: Norm

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        let text = try attributes.string("norm", default: "MAX")
        guard let norm = Norm(rawValue: text) else {
            throw attributes.invalid("norm", "= '\(text)' is not MAX, L1 or L2")
        }
        self.norm = norm
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let input = KernelInputs(values: inputs, op: "Normalizer")
        let shape = try input.tensor(0).shape
        let (values, rows, columns) = try input.floatMatrix(0)
        let out = arena.floats(count: values.count) { out in
            for r in 0..<rows {
                let row = values[(r * columns)..<((r + 1) * columns)]
                let divisor: Float
                switch norm {
                case .max: divisor = row.max() ?? 0
                case .l1: divisor = row.reduce(0) { $0 + abs($1) }
                case .l2: divisor = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
                }
                for c in 0..<columns {
                    let v = values[r * columns + c]
                    out[r * columns + c] = divisor == 0 ? v : v / divisor
                }
            }
        }
        return .tensor(Tensor(shape: shape, data: .float(out)))
    }
}
