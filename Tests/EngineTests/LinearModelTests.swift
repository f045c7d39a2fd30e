import CEngineKernels
@testable import Engine
import Testing

/// The linear models' scores (a GEMM) and vectorised logistic: within the fixtures' tolerance of the
/// scalar forms, and the same bits for a row whatever batch it comes in.
@Suite struct LinearModelTests {
    /// Within 1e-5 relative or 1e-6 absolute, the fixtures' tolerance against onnxruntime.
    static func close(_ a: Float, _ b: Float) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        return abs(a - b) <= 1e-6 || abs(a - b) <= 1e-5 * max(abs(a), abs(b))
    }

    @Test func vectorLogisticMatchesTheScalarSigmoid() {
        guard BlockedGemm.fusedMultiplyAdd else { return }
        // A sweep through the range where the result is neither 0 nor 1, the extremes, and a tail
        // of every length below the eight lanes.
        var values: [Float] = stride(from: Float(-100), through: 100, by: 0.0371).map { $0 }
        values += [0, -0, 1e-30, -1e-30, 87, -87, 88.5, -88.5, 104, -104, .infinity, -.infinity, .nan,
                   .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        for tail in 0..<8 {
            var batch = Array(values.prefix(values.count - tail))
            let expected = batch.map(PostTransform.sigmoid)
            batch.withUnsafeMutableBufferPointer { PostTransform.logistic.applyToBatch($0) }
            for (i, (got, want)) in zip(batch, expected).enumerated() {
                #expect(Self.close(got, want), "x \(values[i]): \(got) against \(want)")
            }
        }
    }

    @Test(arguments: [(16, 20, 2, true), (50, 30, 2, true), (1000, 4, 3, true), (37, 9, 5, false), (64, 300, 1, true)])
    func batchScoresMatchTheRowLoop(_ shape: (rows: Int, features: Int, outputs: Int, intercepts: Bool)) {
        var rng = SplitMix64(seed: UInt64(shape.rows * 31 + shape.features))
        let x = (0..<(shape.rows * shape.features)).map { _ in Float.random(in: -3...3, using: &rng) }
        let w = (0..<(shape.outputs * shape.features)).map { _ in Float.random(in: -1...1, using: &rng) }
        let b = shape.intercepts ? (0..<shape.outputs).map { _ in Float.random(in: -2...2, using: &rng) } : []
        var batch = [Float](repeating: 0, count: shape.rows * shape.outputs)
        var single = batch
        batch.withUnsafeMutableBufferPointer { bp in
            LinearScores.compute(x, rows: shape.rows, features: shape.features, weights: w,
                                 weightsByFeature: LinearScores.byFeature(w, outputs: shape.outputs), intercepts: b,
                                 outputs: shape.outputs, into: bp.baseAddress!, stride: shape.outputs)
        }
        // One row at a time takes the same path as the batch.
        single.withUnsafeMutableBufferPointer { sp in
            for r in 0..<shape.rows {
                let row = Array(x[(r * shape.features)..<((r + 1) * shape.features)])
                LinearScores.compute(row, rows: 1, features: shape.features, weights: w,
                                     weightsByFeature: LinearScores.byFeature(w, outputs: shape.outputs), intercepts: b,
                                     outputs: shape.outputs, into: sp.baseAddress! + r * shape.outputs, stride: shape.outputs)
            }
        }
        // Bit for bit: a row's scores must not depend on the rows batched with it (the worker merges
        // requests into one engine call; the console's spot check runs one row).
        #expect(batch == single, "\(shape)")
    }

    /// The few-output kernel must give the GEMM's bits (one FMA chain over k, then + bias): full and
    /// ragged row blocks, feature counts that are and are not multiples of eight, with and without bias.
    @Test(arguments: [(16, 20, 2), (1000, 20, 2), (37, 9, 3), (8, 8, 1), (23, 128, 4), (19, 3, 1), (64, 1, 2)])
    func fewOutputKernelRoundsLikeTheGemm(_ shape: (m: Int, n: Int, k: Int)) {
        guard BlockedGemm.fusedMultiplyAdd else { return }
        let (m, k, n) = (shape.m, shape.n, shape.k)
        var rng = SplitMix64(seed: UInt64(m * 131 + k * 7 + n))
        let a = (0..<(m * k)).map { _ in Float.random(in: -3...3, using: &rng) }
        let b = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &rng) }
        let bias = (0..<n).map { _ in Float.random(in: -2...2, using: &rng) }
        for withBias in [true, false] {
            var fast = [Float](repeating: 7, count: m * n), gemm = fast
            bias.withUnsafeBufferPointer { bp in
                let bb = withBias ? bp.baseAddress : nil
                nj_linear_scores_fma(a, b, bb, &fast, m, n, k)
                BlockedGemm.multiply(a, b, &gemm, m: m, n: n, k: k, bias: bb, relu: false)
            }
            #expect(fast == gemm, "m \(m) n \(n) k \(k) bias \(withBias)")
        }
    }
}
