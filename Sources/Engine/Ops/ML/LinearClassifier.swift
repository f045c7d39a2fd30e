import NightjarCore

/// `ai.onnx.ml.LinearClassifier`: `scores = x · Wᵀ + b`, then the post transform; the label is the
/// class with the highest score. With a single score column and two labels (a binary model stored
/// as one weight row), the label is the second class when the raw score is positive and the scores
/// are widened to two columns, as onnxruntime does.
struct LinearClassifierKernel: AppendingArenaKernel {
    let coefficients: [Float]
    /// `coefficients` laid out `[features, outputs]` for the batch GEMM (`LinearScores`).
    let coefficientsByFeature: [Float]
    let intercepts: [Float]
    let classCount: Int
    let labels: ClassLabels
    let transform: PostTransform

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        coefficients = attributes.floats("coefficients")
        intercepts = attributes.floats("intercepts")
        transform = try PostTransform(attributes)
        labels = try ClassLabels(attributes, ints: "classlabels_ints", strings: "classlabels_strings")
        classCount = intercepts.isEmpty ? labels.count : intercepts.count
        guard classCount > 0, coefficients.count % classCount == 0, !coefficients.isEmpty else {
            throw attributes.invalid("coefficients", "has \(coefficients.count) values, not a multiple of \(classCount) classes")
        }
        coefficientsByFeature = LinearScores.byFeature(coefficients, outputs: classCount)
        guard classCount == labels.count || (classCount == 1 && labels.count == 2) else {
            throw attributes.invalid("intercepts", "give \(classCount) classes but there are \(labels.count) labels")
        }
    }

    func run(_ inputs: [Value?], arena: inout TensorArena, appendingTo outputs: inout [Value]) throws(NightjarError) {
        let (x, rows, features) = try KernelInputs(values: inputs, op: "LinearClassifier").floatMatrix(0)
        guard features * classCount == coefficients.count else {
            throw .invalidArgument("LinearClassifier: input has \(features) features, the model was trained on \(coefficients.count / classCount)")
        }
        let binarySingleScore = classCount == 1 && labels.count == 2
        let outColumns = binarySingleScore ? 2 : classCount
        // Label and scores in arena buffers; every element of both is written below.
        var winners = arena.int64s(count: rows) { _ in }
        // Written through a pointer: an array subscript per row checks the array's uniqueness
        // every time (+5% instructions at batch 1000).
        let scores = winners.withUnsafeMutableBufferPointer { winners in arena.floats(count: rows * outColumns) { sp in
            guard let out = sp.baseAddress else { return }
            // Raw scores first, each row's in its own slot (the first column of a binary pair).
            LinearScores.compute(x, rows: rows, features: features, weights: coefficients,
                                 weightsByFeature: coefficientsByFeature, intercepts: intercepts, outputs: classCount, into: out, stride: outColumns)
            for r in 0..<rows {
                let o = r * outColumns
                if binarySingleScore {
                    let raw = sp[o]
                    winners[r] = raw > 0 ? 1 : 0
                    if transform == .logistic {
                        let p = PostTransform.sigmoid(raw)
                        sp[o] = 1 - p
                        sp[o + 1] = p
                    } else {
                        sp[o] = -raw
                        sp[o + 1] = raw
                        var pair = UnsafeMutableBufferPointer(rebasing: sp[o..<(o + 2)])
                        transform.apply(&pair)
                    }
                } else {
                    var best = 0
                    for c in 1..<max(classCount, 1) where sp[o + c] > sp[o + best] { best = c }
                    winners[r] = Int64(best)
                    if transform.isRowwise {
                        var row = UnsafeMutableBufferPointer(rebasing: sp[o..<(o + classCount)])
                        transform.apply(&row)
                    }
                }
            }
            // Element by element transforms in one pass over the batch, not one call per row.
            if !binarySingleScore && !transform.isRowwise { transform.applyToBatch(sp) }
        } }
        labels.appendClassifierOutputs(winnerIndices: &winners, scores: scores, rows: rows, columns: outColumns, arena: &arena, to: &outputs)
    }
}
