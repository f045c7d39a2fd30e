/// A tensor's elements read through strides in row-major output order: what Slice and Transpose
/// do. `out[i₀, …, iₙ] = x[base + Σ i_d · strides[d]]` for `i_d < counts[d]`, walked one run of the
/// innermost axis at a time instead of through an index table per element.
enum StridedCopy {
    /// Floats into an arena buffer, a block of the two innermost axes at a time, with the kind of
    /// run (contiguous or strided, long or short) chosen once per block rather than once per run.
    /// The merged axes and the odometer live in stack memory: arrays made per call were most of a
    /// transformer block's allocations.
    static func floats(_ x: [Float], base: Int, counts: [Int], strides: [Int], arena: inout TensorArena) -> [Float] {
        let total = counts.reduce(1, *)
        guard total > 0 else { return [] }
        let room = max(counts.count, 1)
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * room) { scratch in
            let c = UnsafeMutableBufferPointer(rebasing: scratch[0..<room])
            let s = UnsafeMutableBufferPointer(rebasing: scratch[room..<(2 * room)])
            let counter = UnsafeMutableBufferPointer(rebasing: scratch[(2 * room)...])
            let rank = merge(counts, strides, into: c, s)
            let counts = UnsafeBufferPointer(rebasing: c[0..<rank]), strides = UnsafeBufferPointer(rebasing: s[0..<rank])
            let inner = counts[rank - 1], innerStride = strides[rank - 1]
            let rows = rank >= 2 ? counts[rank - 2] : 1
            let rowStride = rank >= 2 ? strides[rank - 2] : 0
            return x.withUnsafeBufferPointer { xp in
                arena.floats(count: total) { op in
                    guard let src = xp.baseAddress, let dst = op.baseAddress else { return }
                    forEachBlock(base: base, counts: counts, strides: strides, counter: counter) { offset, written in
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
        var c = [Int](repeating: 0, count: max(counts.count, 1)), s = c
        let rank = c.withUnsafeMutableBufferPointer { cp in s.withUnsafeMutableBufferPointer { sp in merge(counts, strides, into: cp, sp) } }
        return (Array(c[..<rank]), Array(s[..<rank]))
    }

    /// `merged` into `c` and `s` (each room for `counts.count` axes, one at least); returns the
    /// merged rank, at least 1.
    static func merge(_ counts: [Int], _ strides: [Int], into c: UnsafeMutableBufferPointer<Int>,
                      _ s: UnsafeMutableBufferPointer<Int>) -> Int {
        var rank = 0
        for d in counts.indices where counts[d] != 1 {
            if rank > 0, s[rank - 1] == strides[d] * counts[d] {
                c[rank - 1] *= counts[d]
                s[rank - 1] = strides[d]
            } else {
                c[rank] = counts[d]
                s[rank] = strides[d]
                rank += 1
            }
        }
        if rank == 0 {
            c[0] = 1
            s[0] = 0
            return 1
        }
        return rank
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
        counts.withUnsafeBufferPointer { c in
            strides.withUnsafeBufferPointer { s in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: max(counts.count, 1)) { counter in
                    forEachBlock(base: base, counts: c, strides: s, counter: counter, body)
                }
            }
        }
    }

    /// The same over axes in memory the caller holds, with `counter` room for one index per axis.
    static func forEachBlock(base: Int, counts: UnsafeBufferPointer<Int>, strides: UnsafeBufferPointer<Int>,
                             counter: UnsafeMutableBufferPointer<Int>, _ body: (Int, Int) -> Void) {
        let total = counts.reduce(1, *)
        guard total > 0 else { return }
        let rank = counts.count
        let block = rank >= 2 ? counts[rank - 2] * counts[rank - 1] : (counts.last ?? 1)
        for d in 0..<max(rank - 2, 0) { counter[d] = 0 }
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
