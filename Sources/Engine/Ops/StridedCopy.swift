/// A float tensor's elements read through strides into a new row-major buffer: what Slice and
/// Transpose do. `out[i₀, …, iₙ] = x[base + Σ i_d · strides[d]]` for `i_d < counts[d]`, walked in
/// output order with the innermost axis as a plain loop, instead of an index table per element.
enum StridedCopy {
    static func floats(_ x: [Float], base: Int, counts: [Int], strides: [Int], arena: inout TensorArena) -> [Float] {
        let total = counts.reduce(1, *)
        guard total > 0 else { return [] }
        let rank = counts.count
        let inner = rank > 0 ? counts[rank - 1] : 1
        let innerStride = rank > 0 ? strides[rank - 1] : 0
        return x.withUnsafeBufferPointer { xp in
            arena.floats(count: total) { op in
                guard let src = xp.baseAddress, let dst = op.baseAddress else { return }
                var counter = [Int](repeating: 0, count: max(rank - 1, 0))
                var offset = base
                var written = 0
                while written < total {
                    let from = src + offset, to = dst + written
                    if innerStride == 1 {
                        to.update(from: from, count: inner)
                    } else {
                        for j in 0..<inner { to[j] = from[j * innerStride] }
                    }
                    written += inner
                    // Odometer over the outer axes, last fastest.
                    var d = rank - 2
                    while d >= 0 {
                        counter[d] += 1
                        offset += strides[d]
                        if counter[d] < counts[d] { break }
                        offset -= strides[d] * counter[d]
                        counter[d] = 0
                        d -= 1
                    }
                }
            }
        }
    }
}
