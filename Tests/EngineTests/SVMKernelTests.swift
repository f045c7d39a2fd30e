@testable import Engine
import Testing

/// The vectorised RBF kernel (`nj_rbf_kernel`) against the portable loop, which computes what
/// onnxruntime does (float distances, glibc's `expf`): the distances are the same float operations,
/// and the exponential is computed in double as glibc's is, so every value must be equal or one ulp
/// apart, and that rarely (about 1 in 20,000 over all arguments; up to 1% allowed on these small
/// samples) — the margin the fixtures' 1e-6 absolute tolerance near zero can afford.
@Suite struct SVMKernelTests {
    /// (rows, support vectors, features, gamma): whole and partial groups of eight vectors, and
    /// gammas whose exponents reach the underflow to zero (and, negative, the overflow to infinity).
    static let cases: [(Int, Int, Int, Float)] = [
        (3, 1, 1, 0.5), (5, 7, 2, 0.1), (4, 8, 6, 1), (9, 9, 3, 2), (50, 222, 6, 0.167), (20, 37, 20, 0.01),
        (30, 64, 6, 40), (10, 17, 4, -3), (2, 16, 5, 0),
    ]

    @Test(arguments: cases.indices)
    func vectorisedKernelMatchesTheLoop(_ index: Int) {
        guard BlockedGemm.fusedMultiplyAdd else { return }
        let (rows, count, features, gamma) = Self.cases[index]
        var rng = SplitMix64(seed: UInt64(index + 11))
        var x = (0..<(rows * features)).map { _ in Float.random(in: -3...3, using: &rng) }
        let vectors = (0..<(count * features)).map { _ in Float.random(in: -3...3, using: &rng) }
        if rows > 2 {
            x[features] = .nan  // a missing value gives NaN for every vector of its row
            for f in 0..<features { x[2 * features + f] = vectors[f] }  // zero distance: exactly 1
        }
        let function = SVMKernelFunction(rbfGamma: gamma)
        let fast = function.rbfVectorised(x, rows: rows, vectors, count: count, features: features)
        let loop = function.rbfPortable(x, rows: rows, vectors, count: count, features: features)
        #expect(fast.count == loop.count)
        var oneUlp = 0
        for i in loop.indices {
            let (a, b) = (fast[i], loop[i])
            if a == b || (a.isNaN && b.isNaN) { continue }
            oneUlp += 1
            #expect(a == b.nextUp || a == b.nextDown, "value \(i): \(a) against expf's \(b)")
        }
        #expect(oneUlp * 100 <= loop.count, "\(oneUlp) of \(loop.count) values one ulp from expf's")
    }
}
