import CEngineKernels
@testable import Engine
import Foundation
import Testing

/// The eight-lane kernels that replace libm per element (gelu.c, softmax.c, layer_norm.c): within a
/// few ulp of libm or of a double-precision reference, with libm's special values, and with each
/// value independent of where it sits in the buffer (a row alone or in a batch: the worker's batcher
/// relies on that).
@Suite struct VectorMathKernelTests {
    /// Floats whose erf spans every branch: around 0, the split at 0.921875, the tail up to the clamp
    /// at 3.925 and past it, with both signs.
    static let erfArguments: [Float] = stride(from: Float(-6), through: 6, by: 1.0 / 1024).map { $0 }
        + [0, -0, 1e-30, -1e-30, 1e-7, 0.921875, Float(0.921875).nextUp, 3.925, Float(3.925).nextUp, .infinity, -.infinity]

    @Test func erfIsWithinThreeUlpOfLibm() {
        guard BlockedGemm.fusedMultiplyAdd else { return }
        let x = Self.erfArguments
        var out = [Float](repeating: 0, count: x.count)
        nj_erf_fma(x, &out, x.count)
        for i in x.indices {
            let reference = erf(x[i])
            let ulp = reference == 0 ? Float.leastNonzeroMagnitude : reference.magnitude.ulp
            #expect((out[i] - reference).magnitude <= 3 * ulp, "erf(\(x[i])) = \(out[i]), libm \(reference)")
            #expect(out[i].sign == x[i].sign, "erf(\(x[i])) has the argument's sign")
        }
        var special: [Float] = [.nan, .infinity, -.infinity]
        nj_erf_fma(special, &special, special.count)
        let (nan, one, minusOne) = (special[0], special[1], special[2])
        #expect(nan.isNaN && one == 1 && minusOne == -1)
    }

    @Test func geluMatchesTheDoubleFormula() {
        guard BlockedGemm.fusedMultiplyAdd else { return }
        let x = Self.erfArguments.filter(\.isFinite).map { $0 * 1.5 }
        var out = [Float](repeating: 0, count: x.count)
        nj_gelu_erf_fma(x, &out, x.count)
        for i in x.indices {
            let d = Double(x[i])
            let reference = 0.5 * d * (1 + erf(d / 2.0.squareRoot()))
            #expect(abs(Double(out[i]) - reference) <= 1e-6 + 1e-6 * abs(reference), "gelu(\(x[i])) = \(out[i]), exact \(reference)")
        }
    }

    @Test func softmaxRowsSumToOneAndMaskedScoresWeighNothing() {
        guard BlockedGemm.fusedMultiplyAdd else { return }
        var rng = SplitMix64(seed: 7)
        for n in [1, 3, 8, 13, 1500] {
            let rows = 37
            var x = (0..<(rows * n)).map { _ in Float.random(in: -20...20, using: &rng) }
            if n > 1 { x[0] = -.infinity }  // a masked attention score
            if rows * n > n { x[n] = .nan }  // a NaN poisons its row only
            var out = [Float](repeating: 0, count: x.count)
            nj_softmax_rows_fma(x, &out, rows, n)
            if n > 1 { #expect(out[0] == 0, "e^-inf weighs exactly nothing") }
            for r in 0..<rows {
                let row = Array(x[(r * n)..<((r + 1) * n)])
                let got = Array(out[(r * n)..<((r + 1) * n)])
                if row.contains(where: \.isNaN) {
                    let poisoned = got.allSatisfy { $0.isNaN }
                    #expect(poisoned, "row \(r) holds a NaN")
                    var alone = [Float](repeating: 0, count: n)
                    nj_softmax_rows_fma(row, &alone, 1, n)
                    #expect(alone.map(\.bitPattern) == got.map(\.bitPattern), "row \(r) of \(n) alone and in a batch")
                    continue
                }
                let m = Double(row.max() ?? 0)
                let e = row.map { exp(Double($0) - m) }
                let sum = e.reduce(0, +)
                for k in 0..<n {
                    // The fixtures' relative tolerance: a long row's float sum drifts by more than 1e-6.
                    #expect(abs(Double(got[k]) - e[k] / sum) <= 1e-5 * (e[k] / sum) + 1e-8, "row \(r), column \(k) of \(n)")
                }
                // The same row alone gives the same bits.
                var alone = [Float](repeating: 0, count: n)
                nj_softmax_rows_fma(row, &alone, 1, n)
                #expect(alone.map(\.bitPattern) == got.map(\.bitPattern), "row \(r) of \(n) alone and in a batch")
            }
        }
    }

    @Test func layerNormMatchesTheDoubleFormula() {
        guard BlockedGemm.fusedMultiplyAdd else { return }
        var rng = SplitMix64(seed: 3)
        for size in [1, 3, 16, 19, 64] {
            let rows = 37
            let x = (0..<(rows * size)).map { _ in Float.random(in: -4...6, using: &rng) }
            let scale = (0..<size).map { _ in Float.random(in: -2...2, using: &rng) }
            let bias = (0..<size).map { _ in Float.random(in: -1...1, using: &rng) }
            var out = [Float](repeating: 0, count: x.count)
            var means = [Float](repeating: 0, count: rows), inverse = means
            nj_layer_norm_fma(x, &out, rows, size, scale, bias, 1e-5, &means, &inverse)
            for r in 0..<rows {
                let row = x[(r * size)..<((r + 1) * size)].map(Double.init)
                let mean = row.reduce(0, +) / Double(size)
                let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(size)
                let deviation = (variance + 1e-5).squareRoot()
                #expect(abs(Double(means[r]) - mean) <= 1e-6 * abs(mean) + 1e-7)
                #expect(abs(Double(inverse[r]) * deviation - 1) <= 1e-5)
                for j in 0..<size {
                    let reference = (row[j] - mean) / deviation * Double(scale[j]) + Double(bias[j])
                    #expect(abs(Double(out[r * size + j]) - reference) <= 1e-5 * abs(reference) + 1e-6, "row \(r), element \(j) of \(size)")
                }
                var alone = [Float](repeating: 0, count: size), m: Float = 0, i: Float = 0
                nj_layer_norm_fma(Array(x[(r * size)..<((r + 1) * size)]), &alone, 1, size, scale, bias, 1e-5, &m, &i)
                #expect(alone == Array(out[(r * size)..<((r + 1) * size)]), "row \(r) of \(size) alone and in a batch")
            }
        }
    }
}
