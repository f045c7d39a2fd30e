import CEngineKernels

/// `x · Wᵀ + b`, the scores of ai.onnx.ml's linear classifier and regressor.
///
/// On a CPU with AVX2 and FMA every batch is one small GEMM (rows × features · features × outputs)
/// on the engine's FMA kernel, then `+ b`: onnxruntime computes these scores with MLAS's SGEMM the
/// same way (an FMA chain along the features, the intercept added after), and the kernel runs its
/// lanes across rows instead of one dot product at a time. Every batch size takes this path, one
/// row included, so a row's scores do not depend on the rows batched with it: the worker's dynamic
/// batching and the console's spot check (batch 1) must give the same bits. Another CPU takes the
/// loop below: each score starts from its intercept and adds `x[f] · w[f]` in feature order, four
/// rows together so their four independent sums overlap in the pipeline. The two round differently
/// (FMA against separate multiply and add), both within the fixtures' tolerance.
enum LinearScores {
    /// `weights` (`[outputs, features]`) laid out `[features, outputs]`, the GEMM's B; computed
    /// once when a kernel loads.
    static func byFeature(_ weights: [Float], outputs: Int) -> [Float] {
        let features = weights.count / outputs
        var t = [Float](repeating: 0, count: weights.count)
        for c in 0..<outputs {
            for f in 0..<features { t[f * outputs + c] = weights[c * features + f] }
        }
        return t
    }

    /// Writes row `r`'s score for output `c` to `out[r * stride + c]`. `weights` is `[outputs, features]`,
    /// `weightsByFeature` the same values `[features, outputs]` (`byFeature`).
    static func compute(
        _ x: [Float], rows: Int, features: Int, weights: [Float], weightsByFeature: [Float], intercepts: [Float],
        outputs: Int, into out: UnsafeMutablePointer<Float>, stride: Int
    ) {
        if stride == outputs && BlockedGemm.fusedMultiplyAdd {
            x.withUnsafeBufferPointer { xp in
                weightsByFeature.withUnsafeBufferPointer { wp in
                    intercepts.withUnsafeBufferPointer { bp in
                        guard let x = xp.baseAddress, let w = wp.baseAddress else { return }
                        // An empty array may still have a base address; no intercepts means no bias.
                        let bias = intercepts.isEmpty ? nil : bp.baseAddress
                        if outputs <= 4 && features <= 128 {
                            // Few outputs over one chunk of features: the same bits from a kernel
                            // that transposes rows in registers instead of copying floats into lanes.
                            nj_linear_scores_fma(x, w, bias, out, rows, outputs, features)
                        } else {
                            BlockedGemm.multiply(x, w, out, m: rows, n: outputs, k: features, bias: bias, relu: false)
                        }
                    }
                }
            }
            return
        }
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
