import NightjarCore

/// `Sum`, `Max`, `Min`, `Mean` over any number of broadcast inputs, folded left to right.
struct VariadicKernel: SingleOutputArenaKernel {
    enum Op: String { case sum = "Sum", max = "Max", min = "Min", mean = "Mean" }

    let op: Op

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: op.rawValue)
        guard !inputs.isEmpty else { throw .invalidArgument("\(op.rawValue): no inputs") }
        var acc = try args.tensor(0)
        try Shapes.check(acc, op: op.rawValue)
        // One input is copied, so the output never shares a buffer (see `ArenaKernel`).
        if inputs.count == 1 { acc.data = try CastKernel.convert(acc.data, to: acc.dataType, arena: &arena) }
        for i in 1..<max(inputs.count, 1) {
            let next = try args.tensor(i)
            try Shapes.check(next, op: op.rawValue)
            let shape = try Shapes.broadcast(acc.shape, next.shape, op: op.rawValue)
            switch (acc.data, next.data) {
            case (.float(let x), .float(let y)):
                let folded = floats(x, acc.shape, y, next.shape, shape, arena: &arena)
                // The running result of three or more inputs was this kernel's own: back to the arena.
                if i > 1 { arena.recycle(x) }
                acc = Tensor(shape: shape, data: .float(folded))
            case (.double(let x), .double(let y)): acc = Tensor(shape: shape, data: .double(BinaryKernel.combine(x, acc.shape, y, next.shape, shape, fold)))
            case (.int64(let x), .int64(let y)) where op != .mean:
                acc = Tensor(shape: shape, data: .int64(BinaryKernel.combine(x, acc.shape, y, next.shape, shape, foldInteger)))
            case (.int32(let x), .int32(let y)) where op != .mean:
                acc = Tensor(shape: shape, data: .int32(BinaryKernel.combine(x, acc.shape, y, next.shape, shape, foldInteger)))
            default:
                throw .invalidArgument("\(op.rawValue): element types \(acc.dataType.rawValue) and \(next.dataType.rawValue) are not supported together")
            }
        }
        if op == .mean {
            let n = inputs.count
            switch acc.data {
            case .float(let v): acc.data = .float(v.map { $0 / Float(n) })
            case .double(let v): acc.data = .double(v.map { $0 / Double(n) })
            default: break
            }
        }
        return .tensor(acc)
    }

    /// Two float operands folded into an arena buffer: a sum through `Add`'s loops where the layout
    /// allows, any operator over equal shapes in one loop; other layouts through `combine`.
    private func floats(_ x: [Float], _ xs: [Int], _ y: [Float], _ ys: [Int], _ shape: [Int],
                        arena: inout TensorArena) -> [Float] {
        if op == .sum || op == .mean, let out = BinaryKernel.floatArithmetic(.add, x, xs, y, ys, shape, arena: &arena) {
            return out
        }
        guard x.count == y.count, xs == ys else { return BinaryKernel.combine(x, xs, y, ys, shape, fold) }
        return arena.floats(count: x.count) { out in for i in x.indices { out[i] = fold(x[i], y[i]) } }
    }

    private func fold<T: FloatingPoint>(_ a: T, _ b: T) -> T {
        switch op {
        case .sum, .mean: a + b
        case .max: a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
        case .min: a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
        }
    }

    private func foldInteger<T: FixedWidthInteger>(_ a: T, _ b: T) -> T {
        switch op {
        case .sum, .mean: a &+ b
        case .max: Swift.max(a, b)
        case .min: Swift.min(a, b)
        }
    }
}
