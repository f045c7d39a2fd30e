/// A tensor's elements read through strides in row-major output order: what Slice and Transpose
/// do. `out[i₀, …, iₙ] = x[base + Σ i_d · strides[d]]` for `i_d < counts[d]`, walked one run of the
/// innermost axis at a time instead of through an index table per element.
enum StridedCopy {
    /// Floats into an arena buffer, each innermost run a plain (or strided) loop.
    static func floats(_ x: [Float], base: Int, counts: [Int], strides: [Int], arena: inout TensorArena) -> [Float] {
        let total = counts.reduce(1, *)
        guard total > 0 else { return [] }
        let (counts, strides) = merged(counts: counts, strides: strides)
        let innerStride = strides.last ?? 0
        return x.withUnsafeBufferPointer { xp in
            arena.floats(count: total) { op in
                guard let src = xp.baseAddress, let dst = op.baseAddress else { return }
                forEachRun(base: base, counts: counts, strides: strides) { offset, written, length in
                    let from = src + offset, to = dst + written
                    if innerStride == 1 && length >= 32 {
                        to.update(from: from, count: length)
                    } else if innerStride == 1 {
                        // A head's few floats (a transformer's Transpose moves runs of 4): a call to
                        // memmove per run cost more than the copy.
                        var j = 0
                        while j + 4 <= length {
                            let v = UnsafeRawPointer(from + j).loadUnaligned(as: SIMD4<Float>.self)
                            UnsafeMutableRawPointer(to + j).storeBytes(of: v, as: SIMD4<Float>.self)
                            j += 4
                        }
                        while j < length {
                            to[j] = from[j]
                            j += 1
                        }
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
        let (counts, strides) = merged(counts: counts, strides: strides)
        let innerStride = strides.last ?? 0
        forEachRun(base: base, counts: counts, strides: strides) { offset, _, length in
            for j in 0..<length { out.append(offset + j * innerStride) }
        }
        return out
    }

    /// The same walk over fewer axes: axes of one element dropped, and an axis folded into the next
    /// one in where the source steps over it as over one longer run (a Slice of the last axis is
    /// then rows of one run each, not an odometer per row of every batch).
    static func merged(counts: [Int], strides: [Int]) -> (counts: [Int], strides: [Int]) {
        var c: [Int] = [], s: [Int] = []
        for d in counts.indices where counts[d] != 1 {
            if let lastCount = c.last, let lastStride = s.last, lastStride == strides[d] * counts[d] {
                c[c.count - 1] = lastCount * counts[d]
                s[s.count - 1] = strides[d]
            } else {
                c.append(counts[d])
                s.append(strides[d])
            }
        }
        if c.isEmpty { return ([1], [0]) }
        return (c, s)
    }

    /// Calls `body(sourceOffset, outputOffset, length)` for each run of the innermost axis, in
    /// output order: the runs of the second-innermost axis in a plain loop, an odometer over the
    /// axes outside it, last fastest.
    static func forEachRun(base: Int, counts: [Int], strides: [Int], _ body: (Int, Int, Int) -> Void) {
        let total = counts.reduce(1, *)
        guard total > 0 else { return }
        let rank = counts.count
        let inner = counts.last ?? 1
        let rows = rank >= 2 ? counts[rank - 2] : 1
        let rowStride = rank >= 2 ? strides[rank - 2] : 0
        var counter = [Int](repeating: 0, count: max(rank - 2, 0))
        var offset = base, written = 0
        while written < total {
            for r in 0..<rows {
                body(offset + r * rowStride, written, inner)
                written += inner
            }
            var d = rank - 3
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
