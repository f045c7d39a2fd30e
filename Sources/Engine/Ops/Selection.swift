import NightjarCore

/// Operators that pick, repeat or generate elements: `Gather`, `Slice`, `Split`, `Expand`, `Tile`,
/// `Range`, `Size`, `Dropout` (inference: the identity) and `CastLike`.
struct GatherKernel: SingleOutputKernel {
    let axis: Int

    init(_ a: NodeAttributes) throws(NightjarError) {
        axis = try a.int("axis", default: 0)
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "Gather")
        let x = try args.tensor(0), idx = try args.tensor(1)
        try Shapes.check(x, op: "Gather")
        try Shapes.check(idx, op: "Gather")
        let a = try Shapes.axis(axis, rank: x.shape.count, op: "Gather")
        let n = x.shape[a]
        var picks: [Int] = []
        for i in try idx.data.integers(op: "Gather") {
            let j = i < 0 ? i + n : i
            guard j >= 0, j < n else { throw .invalidArgument("Gather: index \(i) is outside 0..<\(n)") }
            picks.append(j)
        }
        let outer = x.shape[..<a].reduce(1, *), inner = x.shape[(a + 1)...].reduce(1, *)
        var indices: [Int] = []
        indices.reserveCapacity(outer * picks.count * inner)
        for o in 0..<outer {
            for p in picks {
                let base = (o * n + p) * inner
                for i in 0..<inner { indices.append(base + i) }
            }
        }
        let shape = Array(x.shape[..<a]) + idx.shape + Array(x.shape[(a + 1)...])
        return .tensor(Tensor(shape: shape, data: x.data.gathering(indices)))
    }
}

struct SliceKernel: SingleOutputArenaKernel {
    /// Opset 1–9 keep starts, ends and axes in attributes, held here as the tensors later opsets pass.
    let attributes: (starts: TensorData, ends: TensorData, axes: TensorData?)?

    init(_ a: NodeAttributes, opset: Int) throws(NightjarError) {
        if opset < 10 {
            attributes = (.int64(a.ints("starts")), .int64(a.ints("ends")), a.has("axes") ? .int64(a.ints("axes")) : nil)
        } else {
            attributes = nil
        }
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "Slice")
        let x = try args.tensor(0)
        try Shapes.check(x, op: "Slice")
        // Constants, not variables: the functions below capture them, and a captured variable
        // would be boxed on the heap every run.
        let starts: TensorData, ends: TensorData, axes: TensorData?, steps: TensorData?
        if let attributes {
            (starts, ends, axes, steps) = (attributes.starts, attributes.ends, attributes.axes, nil)
        } else {
            starts = try args.tensor(1).data
            ends = try args.tensor(2).data
            axes = inputs.count > 3 && inputs[3] != nil ? try args.tensor(3).data : nil
            steps = inputs.count > 4 && inputs[4] != nil ? try args.tensor(4).data : nil
        }
        // Read in place (`integer(at:)`), not copied to arrays: a run of a transformer makes no
        // array here once its shapes repeat.
        func checkIntegers(_ list: TensorData?) throws(NightjarError) {
            guard let list, list.dataType != .int64 && list.dataType != .int32 else { return }
            throw .invalidArgument("Slice: expected an int64 or int32 tensor, got \(list.dataType.rawValue)")
        }
        try checkIntegers(starts)
        try checkIntegers(ends)
        try checkIntegers(axes)
        try checkIntegers(steps)
        let n = starts.count
        guard ends.count == n, (axes?.count ?? n) == n, (steps?.count ?? n) == n else {
            throw .invalidArgument("Slice: starts, ends, axes and steps differ in length")
        }
        let rank = x.shape.count
        func step(_ k: Int) -> Int { steps?.integer(at: k) ?? 1 }
        for k in 0..<n {
            _ = try Shapes.axis(axes?.integer(at: k) ?? k, rank: rank, op: "Slice")
            guard step(k) != 0 else { throw .invalidArgument("Slice: step 0 on axis \(axes?.integer(at: k) ?? k)") }
        }
        /// Axis d's first index, step and number of indices; the last entry for an axis wins.
        func window(_ d: Int) -> (first: Int, step: Int, count: Int) {
            var w = (first: 0, step: 1, count: x.shape[d])
            for k in 0..<n {
                let given = axes?.integer(at: k) ?? k
                guard (given < 0 ? given + rank : given) == d else { continue }
                let size = x.shape[d], s = step(k)
                func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { min(max(v, lo), hi) }
                let start = starts.integer(at: k), end = ends.integer(at: k)
                var b = start < 0 ? start &+ size : start
                var e = end < 0 ? end &+ size : end
                if s > 0 {
                    b = clamp(b, 0, size); e = clamp(e, 0, size)
                    w = (b, s, e > b ? (e - b + s - 1) / s : 0)
                } else {
                    b = clamp(b, 0, size - 1); e = clamp(e, -1, size - 1)
                    w = (b, s, b > e ? (b - e - s - 1) / -s : 0)
                }
            }
            return w
        }
        func stride(_ d: Int) -> Int { x.shape[(d + 1)...].reduce(1, *) }
        let count = arena.shape(rank: rank) { window($0).count }
        let base = (0..<rank).reduce(0) { $0 + window($1).first * stride($1) }
        let stepped = arena.integers(count: rank) { window($0).step * stride($0) }
        if case .float(let v) = x.data {
            let out = StridedCopy.floats(v, base: base, counts: count, strides: stepped, arena: &arena)
            return .tensor(Tensor(shape: count, data: .float(out)))
        }
        let indices = StridedCopy.offsets(base: base, counts: count, strides: stepped)
        return .tensor(Tensor(shape: count, data: x.data.gathering(indices)))
    }
}

struct SplitKernel: Kernel {
    let axis: Int
    let outputs: Int
    let attributeSplit: [Int]?

    init(_ a: NodeAttributes, opset: Int) throws(NightjarError) {
        axis = try a.int("axis", default: 0)
        outputs = a.node.output.count
        attributeSplit = opset < 13 && a.has("split") ? a.ints("split").map { Int(truncatingIfNeeded: $0) } : nil
    }

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        let args = KernelInputs(values: inputs, op: "Split")
        let x = try args.tensor(0)
        try Shapes.check(x, op: "Split")
        let a = try Shapes.axis(axis, rank: x.shape.count, op: "Split")
        let d = x.shape[a]
        var sizes = attributeSplit
        if sizes == nil, inputs.count > 1, inputs[1] != nil { sizes = try args.tensor(1).data.integers(op: "Split") }
        let parts = sizes ?? {
            // Equal parts, the last one smaller when the axis does not divide evenly.
            let size = (d + outputs - 1) / max(outputs, 1)
            return (0..<outputs).map { i in max(0, min(size, d - i * size)) }
        }()
        guard parts.count == outputs, parts.allSatisfy({ $0 >= 0 }), parts.reduce(0, +) == d else {
            throw .invalidArgument("Split: sizes \(parts) do not split a dimension of \(d) into \(outputs) outputs")
        }
        let outer = x.shape[..<a].reduce(1, *), inner = x.shape[(a + 1)...].reduce(1, *)
        var results: [Value] = []
        var offset = 0
        for size in parts {
            var indices: [Int] = []
            for o in 0..<outer {
                let base = (o * d + offset) * inner
                indices.append(contentsOf: base..<(base + size * inner))
            }
            var shape = x.shape
            shape[a] = size
            results.append(.tensor(Tensor(shape: shape, data: x.data.gathering(indices))))
            offset += size
        }
        return results
    }
}

struct ExpandKernel: SingleOutputKernel {
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "Expand")
        let x = try args.tensor(0)
        try Shapes.check(x, op: "Expand")
        let target = try args.tensor(1).data.integers(op: "Expand")
        let shape = try Shapes.broadcast(x.shape, target, op: "Expand")
        _ = try Shapes.count(shape, op: "Expand")
        return .tensor(Tensor(shape: shape, data: x.data.gathering(Shapes.broadcastIndices(from: x.shape, to: shape))))
    }
}

struct TileKernel: SingleOutputKernel {
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "Tile")
        let x = try args.tensor(0)
        try Shapes.check(x, op: "Tile")
        let repeats = try args.tensor(1).data.integers(op: "Tile")
        guard repeats.count == x.shape.count, repeats.allSatisfy({ $0 >= 0 }) else {
            throw .invalidArgument("Tile: repeats \(repeats) do not fit shape \(x.shape)")
        }
        let shape = zip(x.shape, repeats).map { $0 * $1 }
        let n = try Shapes.count(shape, op: "Tile")
        let rank = shape.count
        let strides = x.shape.rowMajorStrides
        var indices = [Int](repeating: 0, count: n)
        var counter = [Int](repeating: 0, count: rank)
        for i in 0..<n {
            var offset = 0
            for d in 0..<rank { offset += (counter[d] % max(x.shape[d], 1)) * strides[d] }
            indices[i] = offset
            var d = rank - 1
            while d >= 0 {
                counter[d] += 1
                if counter[d] < shape[d] { break }
                counter[d] = 0
                d -= 1
            }
        }
        return .tensor(Tensor(shape: shape, data: x.data.gathering(indices)))
    }
}

struct RangeKernel: SingleOutputKernel {
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "Range")
        let start = try args.tensor(0), limit = try args.tensor(1), delta = try args.tensor(2)
        func count(_ s: Double, _ l: Double, _ d: Double) throws(NightjarError) -> Int {
            guard d != 0, s.isFinite, l.isFinite, d.isFinite else { throw .invalidArgument("Range: delta must be finite and non-zero") }
            let n = max(0, ((l - s) / d).rounded(.up))
            guard n <= Double(1 << 32) else { throw .invalidArgument("Range: \(n) elements is too many") }
            return Int(n)
        }
        switch (start.data, limit.data, delta.data) {
        case (.float(let s), .float(let l), .float(let d)) where s.count == 1 && l.count == 1 && d.count == 1:
            let n = try count(Double(s[0]), Double(l[0]), Double(d[0]))
            return .tensor(Tensor(shape: [n], data: .float((0..<n).map { s[0] + Float($0) * d[0] })))
        case (.double(let s), .double(let l), .double(let d)) where s.count == 1 && l.count == 1 && d.count == 1:
            let n = try count(s[0], l[0], d[0])
            return .tensor(Tensor(shape: [n], data: .double((0..<n).map { s[0] + Double($0) * d[0] })))
        case (.int64(let s), .int64(let l), .int64(let d)) where s.count == 1 && l.count == 1 && d.count == 1:
            let n = try count(Double(s[0]), Double(l[0]), Double(d[0]))
            return .tensor(Tensor(shape: [n], data: .int64((0..<n).map { s[0] &+ Int64($0) &* d[0] })))
        case (.int32(let s), .int32(let l), .int32(let d)) where s.count == 1 && l.count == 1 && d.count == 1:
            let n = try count(Double(s[0]), Double(l[0]), Double(d[0]))
            return .tensor(Tensor(shape: [n], data: .int32((0..<n).map { s[0] &+ Int32(truncatingIfNeeded: $0) &* d[0] })))
        default:
            throw .invalidArgument("Range: start, limit and delta must be scalars of one numeric type")
        }
    }
}

struct SizeKernel: SingleOutputKernel {
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: "Size").tensor(0)
        return .tensor(Tensor(shape: [], data: .int64([Int64(x.data.count)])))
    }
}

/// `Dropout` at inference: the input unchanged, and a mask of all true when asked for.
struct DropoutKernel: Kernel {
    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        let args = KernelInputs(values: inputs, op: "Dropout")
        let x = try args.tensor(0)
        if inputs.count > 2, inputs[2] != nil, case .bool(let training) = try args.tensor(2).data, training.contains(true) {
            let ratio = inputs.count > 1 && inputs[1] != nil ? try args.tensor(1).floatValues(op: "Dropout") : [0.5]
            guard ratio.allSatisfy({ $0 == 0 }) else {
                throw .unsupported("Dropout: training mode drops at random, which an inference engine does not do")
            }
        }
        return [.tensor(x), .tensor(Tensor(shape: x.shape, data: .bool(Array(repeating: true, count: x.data.count))))]
    }
}

struct CastLikeKernel: SingleOutputKernel {
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "CastLike")
        let x = try args.tensor(0), like = try args.tensor(1)
        return .tensor(Tensor(shape: x.shape, data: try CastKernel.convert(x.data, to: like.dataType)))
    }
}
