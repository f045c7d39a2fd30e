import NightjarCore

/// Operators that only move or relabel elements: `Reshape`, `Flatten`, `Squeeze`, `Unsqueeze`,
/// `Concat`, `Transpose`, `Shape`. Axes come from attributes before opset 13 and from an input after,
/// as the spec moved them.
struct ReshapeKernel: SingleOutputKernel {
    let allowZero: Bool

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        allowZero = try attributes.int("allowzero", default: 0) != 0
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "Reshape")
        let x = try args.tensor(0)
        try Shapes.check(x, op: "Reshape")
        let target = try args.tensor(1)
        if case .int64(let dims) = target.data, let shape = resolved(dims, x, arena: &arena) {
            return .tensor(Tensor(shape: shape, data: x.data))
        }
        var shape = try target.data.integers(op: "Reshape")
        var inferred: Int?
        for (i, d) in shape.enumerated() {
            if d == 0 && !allowZero {
                guard i < x.shape.count else { throw .invalidArgument("Reshape: 0 at position \(i) has no input dimension to copy") }
                shape[i] = x.shape[i]
            } else if d == -1 {
                guard inferred == nil else { throw .invalidArgument("Reshape: shape \(shape) has more than one -1") }
                inferred = i
            } else if d < 0 {
                throw .invalidArgument("Reshape: shape \(shape) has a negative dimension")
            }
        }
        if let i = inferred {
            let known = try Shapes.count(shape.enumerated().filter { $0.offset != i }.map(\.element), op: "Reshape")
            guard known > 0, x.data.count % known == 0 else {
                throw .invalidArgument("Reshape: cannot reshape \(x.shape) into \(shape)")
            }
            shape[i] = x.data.count / known
        }
        guard try Shapes.count(shape, op: "Reshape") == x.data.count else {
            throw .invalidArgument("Reshape: cannot reshape \(x.shape) (\(x.data.count) values) into \(shape)")
        }
        return .tensor(Tensor(shape: shape, data: x.data))
    }

    /// The target shape of a valid request, without the arrays the general path builds (a warm run
    /// gets last run's shape from the arena); nil for anything the general path should explain.
    private func resolved(_ dims: [Int64], _ x: Tensor, arena: inout TensorArena) -> [Int]? {
        var inferred = -1
        var known = 1
        for i in 0..<dims.count {
            let d = Int(truncatingIfNeeded: dims[i])
            if d == -1 {
                if inferred >= 0 { return nil }
                inferred = i
                continue
            }
            let actual = d == 0 && !allowZero ? (i < x.shape.count ? x.shape[i] : -1) : d
            guard actual >= 0 else { return nil }
            let (product, overflow) = known.multipliedReportingOverflow(by: actual)
            if overflow { return nil }
            known = product
        }
        let total = x.data.count
        if inferred >= 0 {
            guard known > 0, total % known == 0 else { return nil }
        } else {
            guard known == total else { return nil }
        }
        return arena.shape(rank: dims.count) { i in
            if i == inferred { return total / known }
            let d = Int(truncatingIfNeeded: dims[i])
            return d == 0 && !allowZero ? x.shape[i] : d
        }
    }
}

struct FlattenKernel: SingleOutputKernel {
    let axis: Int

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        axis = try attributes.int("axis", default: 1)
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: "Flatten").tensor(0)
        try Shapes.check(x, op: "Flatten")
        let rank = x.shape.count
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a <= rank else { throw .invalidArgument("Flatten: axis \(axis) is out of range for rank \(rank)") }
        let (rows, columns) = (x.shape[..<a].reduce(1, *), x.shape[a...].reduce(1, *))
        return .tensor(Tensor(shape: arena.shape(rank: 2) { $0 == 0 ? rows : columns }, data: x.data))
    }
}

/// `Squeeze` and `Unsqueeze`.
struct SqueezeKernel: SingleOutputKernel {
    let unsqueeze: Bool
    let attributeAxes: [Int]?
    var op: String { unsqueeze ? "Unsqueeze" : "Squeeze" }

    init(_ attributes: NodeAttributes, opset: Int, unsqueeze: Bool) throws(NightjarError) {
        self.unsqueeze = unsqueeze
        attributeAxes = opset < 13 ? attributes.ints("axes").map { Int(truncatingIfNeeded: $0) } : nil
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: op)
        let x = try args.tensor(0)
        try Shapes.check(x, op: op)
        let axes: [Int]
        if let attributeAxes {
            axes = attributeAxes
        } else if inputs.count > 1, inputs[1] != nil {
            axes = try args.tensor(1).data.integers(op: op)
        } else {
            axes = []
        }
        if unsqueeze {
            let rank = x.shape.count + axes.count
            // A few axes: a plain array, not a hashed set, on a path a transformer walks a dozen times a run.
            var resolved: [Int] = []
            for a in axes {
                let r = try Shapes.axis(a, rank: rank, op: op)
                guard !resolved.contains(r) else { throw .invalidArgument("Unsqueeze: axis \(a) is repeated") }
                resolved.append(r)
            }
            var shape: [Int] = []
            var source = x.shape.makeIterator()
            for i in 0..<rank {
                if resolved.contains(i) { shape.append(1) } else if let d = source.next() { shape.append(d) }
            }
            return .tensor(Tensor(shape: shape, data: x.data))
        }
        var drop: [Int] = []
        for a in axes {
            let r = try Shapes.axis(a, rank: x.shape.count, op: op)
            guard x.shape[r] == 1 else { throw .invalidArgument("Squeeze: dimension \(a) of \(x.shape) is not 1") }
            drop.append(r)
        }
        let shape = x.shape.enumerated().filter { axes.isEmpty ? $0.element != 1 : !drop.contains($0.offset) }.map(\.element)
        return .tensor(Tensor(shape: shape, data: x.data))
    }
}

struct ConcatKernel: SingleOutputArenaKernel {
    let axis: Int

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        axis = try attributes.int("axis")
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "Concat")
        guard !inputs.isEmpty else { throw .invalidArgument("Concat: no inputs") }
        let first = try args.tensor(0)
        let rank = first.shape.count
        let a = try Shapes.axis(axis, rank: rank, op: "Concat")
        var axisTotal = 0
        for i in inputs.indices {
            let p = try args.tensor(i)
            try Shapes.check(p, op: "Concat")
            guard p.shape.count == rank, (0..<rank).allSatisfy({ $0 == a || p.shape[$0] == first.shape[$0] }) else {
                throw .invalidArgument("Concat: shapes \(try inputs.indices.map { i throws(NightjarError) in try args.tensor(i).shape }) differ outside axis \(axis)")
            }
            guard p.dataType == first.dataType else {
                throw .invalidArgument("Concat: inputs mix element types \(first.dataType.rawValue) and \(p.dataType.rawValue)")
            }
            axisTotal += p.shape[a]
        }
        let outer = first.shape[..<a].reduce(1, *), inner = first.shape[(a + 1)...].reduce(1, *)
        let shape = arena.shape(rank: rank) { $0 == a ? axisTotal : first.shape[$0] }
        let n = outer * axisTotal * inner
        // Written straight into one buffer: no list of pieces, no index ranges, no joined copy.
        let data: TensorData = switch first.data {
        case .float: .float(arena.floats(count: n) { Self.join(inputs, outer, a, inner, into: $0) { if case .float(let v) = $0 { v } else { nil } } })
        case .int64: .int64(arena.int64s(count: n) { Self.join(inputs, outer, a, inner, into: $0) { if case .int64(let v) = $0 { v } else { nil } } })
        case .int32: .int32(arena.int32s(count: n) { Self.join(inputs, outer, a, inner, into: $0) { if case .int32(let v) = $0 { v } else { nil } } })
        case .bool: .bool(arena.bools(count: n) { Self.join(inputs, outer, a, inner, into: $0) { if case .bool(let v) = $0 { v } else { nil } } })
        case .double: .double(Self.joined(inputs, outer, a, inner, n, filler: 0) { if case .double(let v) = $0 { v } else { nil } })
        case .string: .string(Self.joined(inputs, outer, a, inner, n, filler: "") { if case .string(let v) = $0 { v } else { nil } })
        }
        return .tensor(Tensor(shape: shape, data: data))
    }

    /// Each input contributes `outer` runs of (its axis size × inner) elements, interleaved, in order.
    /// The inputs were checked: all tensors of this element type and fitting shapes.
    private static func join<T>(_ inputs: [Value?], _ outer: Int, _ axis: Int, _ inner: Int,
                                into out: UnsafeMutableBufferPointer<T>, _ elements: (TensorData) -> [T]?) {
        var written = 0
        for o in 0..<outer {
            for input in inputs {
                guard case .tensor(let t)? = input, let v = elements(t.data) else { continue }
                let run = t.shape[axis] * inner
                for j in 0..<run { out[written + j] = v[o * run + j] }
                written += run
            }
        }
    }

    /// `join` into a new array, for the element types the arena does not keep.
    private static func joined<T>(_ inputs: [Value?], _ outer: Int, _ axis: Int, _ inner: Int, _ n: Int, filler: T,
                                  _ elements: (TensorData) -> [T]?) -> [T] {
        var out = [T](repeating: filler, count: n)
        out.withUnsafeMutableBufferPointer { join(inputs, outer, axis, inner, into: $0, elements) }
        return out
    }
}

struct TransposeKernel: SingleOutputArenaKernel {
    let perm: [Int]?

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        perm = attributes.has("perm") ? attributes.ints("perm").map { Int(truncatingIfNeeded: $0) } : nil
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: "Transpose").tensor(0)
        try Shapes.check(x, op: "Transpose")
        let rank = x.shape.count
        // The axis output axis i reads (the reverse order without a perm), checked to be a
        // permutation without building a sorted copy.
        func axis(_ i: Int) -> Int { perm?[i] ?? rank - 1 - i }
        let valid = (perm?.count ?? rank) == rank && (0..<rank).allSatisfy { i in
            (0..<rank).contains(axis(i)) && (0..<i).allSatisfy { axis($0) != axis(i) }
        }
        guard valid else {
            throw .invalidArgument("Transpose: perm \(perm ?? Array((0..<rank).reversed())) is not a permutation of the \(rank) axes")
        }
        let shape = arena.shape(rank: rank) { x.shape[axis($0)] }
        // Walking the output in order, the source index moves by the permuted input strides.
        let permuted = arena.integers(count: rank) { i in x.shape[(axis(i) + 1)...].reduce(1, *) }
        if case .float(let v) = x.data {
            let out = StridedCopy.floats(v, base: 0, counts: shape, strides: permuted, arena: &arena)
            return .tensor(Tensor(shape: shape, data: .float(out)))
        }
        let indices = StridedCopy.offsets(base: 0, counts: shape, strides: permuted)
        return .tensor(Tensor(shape: shape, data: x.data.gathering(indices)))
    }
}

struct ShapeKernel: SingleOutputKernel {
    let start: Int
    let end: Int?

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        start = try attributes.int("start", default: 0)
        end = attributes.has("end") ? try attributes.int("end") : nil
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: "Shape").tensor(0)
        let rank = x.shape.count
        func clamp(_ i: Int) -> Int { min(max(i < 0 ? i + rank : i, 0), rank) }
        let s = clamp(start), e = clamp(end ?? rank)
        let dims = s < e ? Array(x.shape[s..<e]) : []
        return .tensor(Tensor(shape: [dims.count], data: .int64(dims.map { Int64($0) })))
    }
}
