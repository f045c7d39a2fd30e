import NightjarCore

/// `Equal`, `Less`, `Greater`, `LessOrEqual`, `GreaterOrEqual` with broadcasting, giving booleans;
/// `And`, `Or`, `Xor`, `Not` on booleans; `Where` choosing between two tensors.
struct ComparisonKernel: SingleOutputArenaKernel {
    enum Op: String {
        case equal = "Equal", less = "Less", greater = "Greater", lessOrEqual = "LessOrEqual", greaterOrEqual = "GreaterOrEqual"

        func test<T: Comparable>(_ a: T, _ b: T) -> Bool {
            switch self {
            case .equal: a == b
            case .less: a < b
            case .greater: a > b
            case .lessOrEqual: a <= b
            case .greaterOrEqual: a >= b
            }
        }
    }

    let op: Op

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: op.rawValue)
        let a = try args.tensor(0), b = try args.tensor(1)
        try Shapes.check(a, op: op.rawValue)
        try Shapes.check(b, op: op.rawValue)
        let shape = try Shapes.broadcast(a.shape, b.shape, op: op.rawValue)
        let out: [Bool]
        switch (a.data, b.data) {
        case (.float(let x), .float(let y)): out = compare(x, a.shape, y, b.shape, shape, arena: &arena)
        case (.double(let x), .double(let y)): out = compare(x, a.shape, y, b.shape, shape, arena: &arena)
        case (.int64(let x), .int64(let y)): out = compare(x, a.shape, y, b.shape, shape, arena: &arena)
        case (.int32(let x), .int32(let y)): out = compare(x, a.shape, y, b.shape, shape, arena: &arena)
        case (.string(let x), .string(let y)) where op == .equal: out = compare(x, a.shape, y, b.shape, shape, arena: &arena)
        case (.bool(let x), .bool(let y)) where op == .equal:
            let ia = Shapes.broadcastIndices(from: a.shape, to: shape)
            let ib = Shapes.broadcastIndices(from: b.shape, to: shape)
            out = zip(ia, ib).map { x[$0] == y[$1] }
        default:
            throw .invalidArgument("\(op.rawValue): element types \(a.dataType.rawValue) and \(b.dataType.rawValue) are not supported together")
        }
        return .tensor(Tensor(shape: shape, data: .bool(out)))
    }

    /// `op` element by element into an arena buffer; equal shapes and a scalar on either side
    /// (a classifier's `score < 0`) without the index tables of the general broadcast.
    private func compare<T: Comparable>(_ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int], _ shape: [Int],
                                        arena: inout TensorArena) -> [Bool] {
        let n = shape.reduce(1, *)
        if x.count == n, y.count == n {
            return arena.bools(count: n) { o in for i in 0..<n { o[i] = op.test(x[i], y[i]) } }
        }
        if x.count == n, y.count == 1 {
            return arena.bools(count: n) { o in for i in 0..<n { o[i] = op.test(x[i], y[0]) } }
        }
        if x.count == 1, y.count == n {
            return arena.bools(count: n) { o in for i in 0..<n { o[i] = op.test(x[0], y[i]) } }
        }
        let ia = Shapes.broadcastIndices(from: xs, to: shape)
        let ib = Shapes.broadcastIndices(from: ys, to: shape)
        return arena.bools(count: n) { o in for i in 0..<n { o[i] = op.test(x[ia[i]], y[ib[i]]) } }
    }
}

struct LogicalKernel: SingleOutputKernel {
    enum Op: String { case and = "And", or = "Or", xor = "Xor", not = "Not" }

    let op: Op

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: op.rawValue)
        let a = try args.tensor(0)
        try Shapes.check(a, op: op.rawValue)
        guard case .bool(let x) = a.data else { throw .invalidArgument("\(op.rawValue) expects booleans, got \(a.dataType.rawValue)") }
        if op == .not { return .tensor(Tensor(shape: a.shape, data: .bool(x.map { !$0 }))) }
        let b = try args.tensor(1)
        try Shapes.check(b, op: op.rawValue)
        guard case .bool(let y) = b.data else { throw .invalidArgument("\(op.rawValue) expects booleans, got \(b.dataType.rawValue)") }
        let shape = try Shapes.broadcast(a.shape, b.shape, op: op.rawValue)
        let ia = Shapes.broadcastIndices(from: a.shape, to: shape)
        let ib = Shapes.broadcastIndices(from: b.shape, to: shape)
        let out: [Bool] = zip(ia, ib).map { i, j in
            switch op {
            case .and: x[i] && y[j]
            case .or: x[i] || y[j]
            default: x[i] != y[j]
            }
        }
        return .tensor(Tensor(shape: shape, data: .bool(out)))
    }
}

struct WhereKernel: SingleOutputKernel {
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "Where")
        let c = try args.tensor(0), x = try args.tensor(1), y = try args.tensor(2)
        for t in [c, x, y] { try Shapes.check(t, op: "Where") }
        guard case .bool(let cond) = c.data else { throw .invalidArgument("Where: the condition must be boolean, got \(c.dataType.rawValue)") }
        guard x.dataType == y.dataType else {
            throw .invalidArgument("Where: element types \(x.dataType.rawValue) and \(y.dataType.rawValue) differ")
        }
        let shape = try Shapes.broadcast(try Shapes.broadcast(c.shape, x.shape, op: "Where"), y.shape, op: "Where")
        let ic = Shapes.broadcastIndices(from: c.shape, to: shape)
        let ix = Shapes.broadcastIndices(from: x.shape, to: shape)
        let iy = Shapes.broadcastIndices(from: y.shape, to: shape)
        // Pick from x followed by y: indices past x's count point into y.
        let picks = ic.indices.map { cond[ic[$0]] ? ix[$0] : x.data.count + iy[$0] }
        let joined = try TensorData.joining([x.data, y.data], op: "Where")
        return .tensor(Tensor(shape: shape, data: joined.gathering(picks)))
    }
}
