/// A tensor's elements read through strides in row-major output order: what Slice and Transpose
/// do. `out[i₀, …, iₙ] = x[base + Σ i_d · strides[d]]` for `i_d < counts[d]`, walked one run of the
/// innermost axis at a time instead of through an index table per element.
enum StridedCopy {
    /// Floats into an arena buffer, a block of the two innermost axes at a time, with the kind of
    /// run (contiguous or strided, long or short) chosen once per block rather than once per run.
    static func floats(_ x: [Float], base: Int, counts: [Int], strides: [Int], arena: inout TensorArena) -> [Float] {
        let total = counts.reduce(1, *)
        guard total > 0 else { return [] }
        let (counts, strides) = merged(counts: counts, strides: strides)
        let rank = counts.count
        let inner = counts[rank - 1], innerStride = strides[rank - 1]
        let rows = rank >= 2 ? counts[rank - 2] : 1
        let rowStride = rank >= 2 ? strides[rank - 2] : 0
        return x.withUnsafeBufferPointer { xp in
            arena.floats(count: total) { op in
                guard let src = xp.baseAddress, let dst = op.baseAddress else { return }
                forEachBlock(base: base, counts: counts, strides: strides) { offset, written in
                    let from = src + offset, to = dst + written
                    if innerStride == 1 && inner >= 32 {
                        for r in 0..<rows { (to + r * inner).update(from: from + r * rowStride, count: inner) }
                    } else if innerStride == 1 && inner == 4 {
                        // A transformer head's runs: one vector move each.
                        for r in 0..<rows {
                            let v = UnsafeRawPointer(from + r * rowStride).loadUnaligned(as: SIMD4<Float>.self)
                            UnsafeMutableRawPointer(to + r * 4).storeBytes(of: v, as: SIMD4<Float>.self)
                        }
                    } else if innerStride == 1 {
                        // Short runs: a call to memmove per run cost more than the copy.
                        for r in 0..<rows {
                            let f = from + r * rowStride, t = to + r * inner
                            var j = 0
                            while j + 4 <= inner {
                                let v = UnsafeRawPointer(f + j).loadUnaligned(as: SIMD4<Float>.self)
                                UnsafeMutableRawPointer(t + j).storeBytes(of: v, as: SIMD4<Float>.self)
                                j += 4
                            }
                            while j < inner {
                                t[j] = f[j]
                                j += 1
                            }
                        }
                    } else {
                        for r in 0..<rows {
                            let f = from + r * rowStride, t = to + r * inner
                            for j in 0..<inner { t[j] = f[j * innerStride] }
                        }
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
    /// output order.
    static func forEachRun(base: Int, counts: [Int], strides: [Int], _ body: (Int, Int, Int) -> Void) {
        let rank = counts.count
        let inner = counts.last ?? 1
        let rows = rank >= 2 ? counts[rank - 2] : 1
        let rowStride = rank >= 2 ? strides[rank - 2] : 0
        forEachBlock(base: base, counts: counts, strides: strides) { offset, written in
            for r in 0..<rows { body(offset + r * rowStride, written + r * inner, inner) }
        }
    }

    /// Calls `body(sourceOffset, outputOffset)` for each block of the two innermost axes (one run
    /// when the rank is 1), in output order: an odometer over the axes outside them, last fastest.
    static func forEachBlock(base: Int, counts: [Int], strides: [Int], _ body: (Int, Int) -> Void) {
        let total = counts.reduce(1, *)
        guard total > 0 else { return }
        let rank = counts.count
        let block = rank >= 2 ? counts[rank - 2] * counts[rank - 1] : (counts.last ?? 1)
        var counter = [Int](repeating: 0, count: max(rank - 2, 0))
        var offset = base, written = 0
        while written < total {
            body(offset, written)
            written += block
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
