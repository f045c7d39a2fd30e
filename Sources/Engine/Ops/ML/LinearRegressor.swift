import NightjarCore

/// `ai.onnx.ml.LinearRegressor`: `y = x · Wᵀ + b` for `targets` outputs, then the post transform.
struct LinearRegressorKernel: Kernel {
    let coefficients: [Float]
    /// `coefficients` laid out `[features, outputs]` for the batch GEMM (`LinearScores`).
    let coefficientsByFeature: [Float]
    let intercepts: [Float]
    let targets: Int
    let transform: PostTransform

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        coefficients = attributes.floats("coefficients")
        intercepts = attributes.floats("intercepts")
        targets = try attributes.int("targets", default: 1)
        transform = try PostTransform(attributes)
        guard targets > 0, !coefficients.isEmpty, coefficients.count % targets == 0 else {
            throw attributes.invalid("coefficients", "has \(coefficients.count) values, not a multiple of \(targets) targets")
        }
        coefficientsByFeature = LinearScores.byFeature(coefficients, outputs: targets)
        guard intercepts.isEmpty || intercepts.count == targets else {
            throw attributes.invalid("intercepts", "has \(intercepts.count) values for \(targets) targets")
        }
    }

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        let (x, rows, features) = try KernelInputs(values: inputs, op: "LinearRegressor").floatMatrix(0)
        guard features * targets == coefficients.count else {
            throw .invalidArgument("LinearRegressor: input has \(features) features, the model was trained on \(coefficients.count / targets)")
        }
        var out = [Float](repeating: 0, count: rows * targets)
        out.withUnsafeMutableBufferPointer { op in
            guard let ob = op.baseAddress else { return }
            LinearScores.compute(x, rows: rows, features: features, weights: coefficients,
                                 weightsByFeature: coefficientsByFeature, intercepts: intercepts, outputs: targets, into: ob, stride: targets)
            guard transform != .none else { return }
            // Element by element transforms in one pass over the batch, softmaxes row by row.
            guard transform.isRowwise else { return transform.applyToBatch(op) }
            for r in 0..<rows {
                var row = UnsafeMutableBufferPointer(rebasing: op[(r * targets)..<((r + 1) * targets)])
                transform.apply(&row)
            }
        }
        return [.tensor(Tensor(shape: [rows, targets], data: .float(out)))]
    }
}
