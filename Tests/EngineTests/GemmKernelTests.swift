@testable import Engine
import Testing

/// The AVX2 + FMA kernel is only a faster way to the same numbers: on every shape it must give the
/// portable kernel's bits, or fixtures checked on one CPU would drift on another.
@Suite struct GemmKernelTests {
    /// (m, n, k): full and ragged tiles, narrow outputs, several k chunks, an empty k.
    static let shapes = [
        (1, 1, 1), (6, 16, 8), (7, 17, 9), (1000, 64, 10), (100, 64, 64), (40, 3, 64), (33, 1, 300),
        (17, 7, 1000), (5, 600, 20), (23, 13, 257), (4, 5, 0), (64, 222, 6),
        // A transformer head's products (one half tile 8 or 16 wide, the narrow path at 8 rows) and
        // ragged edges that fill one or two halves.
        (8, 8, 4), (8, 4, 8), (9, 16, 5), (13, 12, 3), (3, 5, 7), (512, 48, 16), (15, 2, 9),
    ]

    @Test(arguments: shapes.indices)
    func fusedKernelRoundsLikeThePortableOne(_ index: Int) {
        guard BlockedGemm.fusedMultiplyAdd else { return }
        let (m, n, k) = Self.shapes[index]
        var rng = SplitMix64(seed: UInt64(index + 1))
        let a = (0..<(m * k)).map { _ in Float.random(in: -3...3, using: &rng) }
        let b = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &rng) }
        let start = (0..<(m * n)).map { _ in Float.random(in: -1...1, using: &rng) }
        for (alpha, accumulate) in [(Float(1), false), (0.7, false), (1, true), (-1.3, true)] {
            var fast = start, portable = start
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    fast.withUnsafeMutableBufferPointer { fp in
                        portable.withUnsafeMutableBufferPointer { pp in
                            guard let aa = ap.baseAddress ?? UnsafePointer(bitPattern: 16), let bb = bp.baseAddress ?? UnsafePointer(bitPattern: 16),
                                  let ff = fp.baseAddress, let po = pp.baseAddress else { return }
                            BlockedGemm.multiply(aa, bb, ff, m: m, n: n, k: k, alpha: alpha, accumulate: accumulate)
                            BlockedGemm.multiplyPortable(aa, bb, po, m: m, n: n, k: k, alpha: alpha, accumulate: accumulate)
                        }
                    }
                }
            }
            #expect(fast == portable, "m \(m) n \(n) k \(k) alpha \(alpha) accumulate \(accumulate)")
        }
    }

    /// A fused layer's epilogue (bias, Relu) applied as tiles are stored must give the bits of the
    /// product followed by a separate bias addition and Relu, on every kernel path and chunking.
    @Test(arguments: shapes.indices)
    func fusedBiasAndReluMatchSeparatePasses(_ index: Int) {
        let (m, n, k) = Self.shapes[index]
        var rng = SplitMix64(seed: UInt64(index + 101))
        let a = (0..<(m * k)).map { _ in Float.random(in: -3...3, using: &rng) }
        let b = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &rng) }
        let bias = (0..<n).map { _ in Float.random(in: -2...2, using: &rng) }
        for (withBias, relu) in [(true, true), (true, false), (false, true)] {
            var fused = [Float](repeating: 9, count: m * n), separate = fused
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    bias.withUnsafeBufferPointer { biasp in
                        fused.withUnsafeMutableBufferPointer { fp in
                            separate.withUnsafeMutableBufferPointer { sp in
                                guard let aa = ap.baseAddress ?? UnsafePointer(bitPattern: 16), let bb = bp.baseAddress ?? UnsafePointer(bitPattern: 16),
                                      let ff = fp.baseAddress, let so = sp.baseAddress else { return }
                                let row = withBias ? biasp.baseAddress : nil
                                BlockedGemm.multiply(aa, bb, ff, m: m, n: n, k: k, bias: row, relu: relu)
                                BlockedGemm.multiply(aa, bb, so, m: m, n: n, k: k)
                                for i in 0..<(m * n) {
                                    if let row { so[i] += row[i % n] }
                                    if relu && so[i] <= 0 { so[i] = 0 }
                                }
                            }
                        }
                    }
                }
            }
            #expect(fused == separate, "m \(m) n \(n) k \(k) bias \(withBias) relu \(relu)")
        }
    }
}
