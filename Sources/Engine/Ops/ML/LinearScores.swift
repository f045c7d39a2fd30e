/// `x · Wᵀ + b`, the scores of ai.onnx.ml's linear classifier and regressor. Each score starts from
/// its intercept and adds `x[f] · w[f]` in feature order, the order the fixtures were matched with;
/// four rows go together so their four independent sums overlap in the pipeline instead of each
/// add waiting on the one before.
enum LinearScores {
    /// Writes row `r`'s score for output `c` to `out[r * stride + c]`. `weights` is `[outputs, features]`.
    static func compute(
        _ x: [Float], rows: Int, features: Int, weights: [Float], intercepts: [Float],
        outputs: Int, into out: UnsafeMutablePointer<Float>, stride: Int
    ) {
        x.withUnsafeBufferPointer { xp in
            weights.withUnsafeBufferPointer { wp in
                guard let x = xp.baseAddress, let weights = wp.baseAddress else { return }
                compute(x, rows: rows, features: features, weights: weights, intercepts: intercepts, outputs: outputs, into: out, stride: stride)
            }
        }
    }

    private static func compute(
        _ x: UnsafePointer<Float>, rows: Int, features: Int, weights: UnsafePointer<Float>, intercepts: [Float],
        outputs: Int, into out: UnsafeMutablePointer<Float>, stride: Int
    ) {
        var r = 0
        while r + 4 <= rows {
            let x0 = x + r * features, x1 = x0 + features, x2 = x1 + features, x3 = x2 + features
            for c in 0..<outputs {
                let w = weights + c * features
                let b: Float = intercepts.isEmpty ? 0 : intercepts[c]
                var s0 = b, s1 = b, s2 = b, s3 = b
                for f in 0..<features {
                    let wf = w[f]
                    s0 += x0[f] * wf
                    s1 += x1[f] * wf
                    s2 += x2[f] * wf
                    s3 += x3[f] * wf
                }
                let o = out + r * stride + c
                o[0] = s0
                o[stride] = s1
                o[2 * stride] = s2
                o[3 * stride] = s3
            }
            r += 4
        }
        while r < rows {
            let xr = x + r * features
            for c in 0..<outputs {
                let w = weights + c * features
                var s: Float = intercepts.isEmpty ? 0 : intercepts[c]
                for f in 0..<features { s += xr[f] * w[f] }
                out[r * stride + c] = s
            }
            r += 1
        }
    }
}
