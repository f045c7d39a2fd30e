import NightjarCore

/// `ai.onnx.ml.LinearClassifier`: `scores = x · Wᵀ + b`, then the post transform; the label is the
/// class with the highest score. With a single score column and two labels (a binary model stored
/// as one weight row), the label is the second class when the raw score is positive and the scores
/// are widened to two columns, as onnxruntime does.
struct LinearClassifierKernel: Kernel {
    let coefficients: [Float]
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
        guard classCount == labels.count || (classCount == 1 && labels.count == 2) else {
            throw attributes.invalid("intercepts", "give \(classCount) classes but there are \(labels.count) labels")
        }
    }

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        let (x, rows, features) = try KernelInputs(values: inputs, op: "LinearClassifier").floatMatrix(0)
        guard features * classCount == coefficients.count else {
            throw .invalidArgument("LinearClassifier: input has \(features) features, the model was trained on \(coefficients.count / classCount)")
        }
        let binarySingleScore = classCount == 1 && labels.count == 2
        let outColumns = binarySingleScore ? 2 : classCount
        var scores = [Float](repeating: 0, count: rows * outColumns)
        var winners = [Int](repeating: 0, count: rows)
        // One scratch row for the whole batch: an allocation per row was most of a batch's time.
        var row = ArraySlice([Float](repeating: 0, count: classCount))
        x.withUnsafeBufferPointer { xp in
            coefficients.withUnsafeBufferPointer { wp in
                for r in 0..<rows {
                    for c in 0..<classCount {
                        var sum: Float = intercepts.isEmpty ? 0 : intercepts[c]
                        let xb = r * features
                        let wb = c * features
                        for f in 0..<features { sum += xp[xb + f] * wp[wb + f] }
                        row[c] = sum
                    }
                    if binarySingleScore {
                        let raw = row[0]
                        winners[r] = raw > 0 ? 1 : 0
                        var pair: ArraySlice<Float>
                        if transform == .logistic {
                            let p = PostTransform.sigmoid(raw)
                            pair = [1 - p, p]
                        } else {
                            pair = [-raw, raw]
                            transform.apply(&pair)
                        }
                        scores[r * 2] = pair[pair.startIndex]
                        scores[r * 2 + 1] = pair[pair.startIndex + 1]
                    } else {
                        var best = 0
                        for c in 1..<max(classCount, 1) where row[c] > row[best] { best = c }
                        winners[r] = best
                        transform.apply(&row)
                        for c in 0..<classCount { scores[r * classCount + c] = row[c] }
                    }
                }
            }
        }
        return labels.classifierOutputs(winners: winners, scores: scores, rows: rows, columns: outColumns)
    }
}
