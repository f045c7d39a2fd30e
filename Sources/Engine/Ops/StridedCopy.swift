/// A tensor's elements read through strides in row-major output order: what Slice and Transpose
/// do. `out[i₀, …, iₙ] = x[base + Σ i_d · strides[d]]` for `i_d < counts[d]`, walked one run of the
/// innermost axis at a time instead of through an index table per element.
enum StridedCopy {
    /// Floats into an arena buffer, each innermost run a plain (or strided) loop.
    static func floats(_ x: [Float], base: Int, counts: [Int], strides: [Int], arena: inout TensorArena) -> [Float] {
        let total = counts.reduce(1, *)
        guard total > 0 else { return [] }
        let innerStride = strides.last ?? 0
        return x.withUnsafeBufferPointer { xp in
            arena.floats(count: total) { op in
                guard let src = xp.baseAddress, let dst = op.baseAddress else { return }
                forEachRun(base: base, counts: counts, strides: strides) { offset, written, length in
                    let from = src + offset, to = dst + written
                    if innerStride == 1 {
                        to.update(from: from, count: length)
                    } else {
                        for j in 0..<length { to[j] = from[j * innerStride] }
                    }
                }
            }
        }
    }

    /// The source offset of every output element, for element types copied by `gathering`.
    static func offsets(base: Int, counts: [Int], strides: [Int]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(counts.reduce(1, *))
        let innerStride = strides.last ?? 0
        forEachRun(base: base, counts: counts, strides: strides) { offset, _, length in
            for j in 0..<length { out.append(offset + j * innerStride) }
        }
        return out
    }

    /// Calls `body(sourceOffset, outputOffset, length)` for each run of the innermost axis, in
    /// output order; an odometer over the outer axes, last fastest.
    static func forEachRun(base: Int, counts: [Int], strides: [Int], _ body: (Int, Int, Int) -> Void) {
        let total = counts.reduce(1, *)
        guard total > 0 else { return }
        let rank = counts.count
        let inner = counts.last ?? 1
        var counter = [Int](repeating: 0, count: max(rank - 1, 0))
        var offset = base, written = 0
        while written < total {
            body(offset, written, inner)
            written += inner
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
