import NightjarCore

/// `ArgMax` and `ArgMin` over one axis of a numeric tensor, first or last index on ties.
struct ArgMaxKernel: SingleOutputArenaKernel {
    let axis: Int
    let keepDims: Bool
    let selectLast: Bool
    var minimum = false
    var op: String { minimum ? "ArgMin" : "ArgMax" }

    init(_ attributes: NodeAttributes, minimum: Bool) throws(NightjarError) {
        try self.init(attributes)
        self.minimum = minimum
    }

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        axis = try attributes.int("axis", default: 0)
        keepDims = try attributes.int("keepdims", default: 1) != 0
        selectLast = try attributes.int("select_last_index", default: 0) != 0
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: op).tensor(0)
        try Shapes.check(x, op: op)
        let rank = x.shape.count
        let a = axis < 0 ? axis + rank : axis
        guard rank > 0, (0..<rank).contains(a) else {
            throw .invalidArgument("\(op): axis \(axis) is out of range for shape \(x.shape)")
        }
        let outer = x.shape[..<a].reduce(1, *)
        let n = x.shape[a]
        let inner = x.shape[(a + 1)...].reduce(1, *)
        let out: [Int64]
        // Floats compared as floats: widening to double keeps order, ties and NaN as they are, and
        // converting every element first cost more than the search.
        switch x.data {
        case .float(let v) where inner == 1: out = bestAlongRows(v, outer, n, arena: &arena)
        case .float(let v): out = best(v, outer, n, inner, arena: &arena)
        case .double(let v): out = best(v, outer, n, inner, arena: &arena)
        case .int64(let v): out = best(v.map { Double($0) }, outer, n, inner, arena: &arena)
        default: out = best(try x.floatValues(op: op).map { Double($0) }, outer, n, inner, arena: &arena)
        }
        let shape = keepDims
            ? arena.shape(rank: rank) { $0 == a ? 1 : x.shape[$0] }
            : arena.shape(rank: rank - 1) { x.shape[$0 < a ? $0 : $0 + 1] }
        return .tensor(Tensor(shape: shape, data: .int64(out)))
    }

    /// `best` for the last axis (a classifier's probabilities, row by row), over pointers: the
    /// general loop's index arithmetic and per-element choice of comparison cost more than the search.
    /// The same comparisons in the same order, so the same index on ties and NaN.
    private func bestAlongRows(_ values: [Float], _ rows: Int, _ n: Int, arena: inout TensorArena) -> [Int64] {
        arena.int64s(count: rows) { out in
            guard n > 0 else {
                out.update(repeating: 0)
                return
            }
            values.withUnsafeBufferPointer { vp in
                guard let base = vp.baseAddress, let o = out.baseAddress else { return }
                for r in 0..<rows {
                    let row = base + r * n
                    var best = 0
                    var b = row[0]
                    for k in 1..<n {
                        let v = row[k]
                        let better = minimum ? v < b : v > b
                        if better || (selectLast && v == b) {
                            best = k
                            b = v
                        }
                    }
                    o[r] = Int64(best)
                }
            }
        }
    }

    /// The index of the extreme along the middle axis of `values` seen as `[outer, n, inner]`.
    private func best<T: FloatingPoint>(_ values: [T], _ outer: Int, _ n: Int, _ inner: Int, arena: inout TensorArena) -> [Int64] {
        arena.int64s(count: outer * inner) { out in
            values.withUnsafeBufferPointer { vp in
                for o in 0..<outer {
                    for i in 0..<inner {
                        var best = 0
                        for k in 0..<n {
                            let v = vp[(o * n + k) * inner + i]
                            let b = vp[(o * n + best) * inner + i]
                            if (minimum ? v < b : v > b) || (selectLast && v == b) { best = k }
                        }
                        out[o * inner + i] = Int64(best)
                    }
                }
            }
        }
    }
}
