import NightjarCore

/// Shape arithmetic and element moves shared by the operators that reshape, join or pick elements.
enum Shapes {
    /// Numpy's multidirectional broadcast of two shapes, or an error naming both.
    static func broadcast(_ a: [Int], _ b: [Int], op: String) throws(NightjarError) -> [Int] {
        let rank = max(a.count, b.count)
        // Checked first, and an operand's own array returned when it is the result (a bias, a
        // scalar, equal shapes): a new array per elementwise step is an allocation per step.
        var isA = a.count == rank, isB = b.count == rank
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard x == y || x == 1 || y == 1 else {
                throw .invalidArgument("\(op): shapes \(a) and \(b) do not broadcast")
            }
            if x == 1 && y != 1 { isA = false }
            if y == 1 && x != 1 { isB = false }
        }
        if isA { return a }
        if isB { return b }
        return (0..<rank).map { i in
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            return x == 1 ? (i < rank - b.count ? 1 : b[i - (rank - b.count)]) : x
        }
    }

    /// Row-major strides of `shape` laid against a broadcast output of rank `rank`: 0 where the
    /// dimension is broadcast, so one index walk serves both operands.
    static func broadcastStrides(_ shape: [Int], rank: Int) -> [Int] {
        var strides = [Int](repeating: 0, count: rank)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            let o = i + rank - shape.count
            strides[o] = shape[i] == 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }

    /// For each element of a tensor of shape `out`, the index of the element of a tensor of shape
    /// `shape` broadcast to it.
    static func broadcastIndices(from shape: [Int], to out: [Int]) -> [Int] {
        StridedCopy.offsets(base: 0, counts: out, strides: broadcastStrides(shape, rank: out.count))
    }

    /// Resolves a possibly negative axis against a rank, or throws naming the operator.
    static func axis(_ axis: Int, rank: Int, op: String) throws(NightjarError) -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < max(rank, 1) else {
            throw .invalidArgument("\(op): axis \(axis) is out of range for rank \(rank)")
        }
        return a
    }

    /// The element count of a shape, refusing negative or overflowing sizes that input could carry.
    /// `op` is built only when the shape is refused: callers name an input per call, and that string
    /// cost more than the check.
    static func count(_ shape: [Int], op: @autoclosure () -> String) throws(NightjarError) -> Int {
        var n = 1
        for d in shape {
            guard d >= 0 else { throw .invalidArgument("\(op()): shape \(shape) has a negative dimension") }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow, p <= 1 << 32 else { throw .invalidArgument("\(op()): shape \(shape) is too large") }
            n = p
        }
        return n
    }

    /// Checks that a tensor holds as many elements as its shape says, so index arithmetic is safe.
    static func check(_ t: Tensor, op: String) throws(NightjarError) {
        guard try count(t.shape, op: op) == t.data.count else {
            throw .invalidArgument("\(op): shape \(t.shape) does not match its \(t.data.count) values")
        }
    }
}

extension TensorData {
    /// The elements at `indices`, in that order.
    func gathering(_ indices: [Int]) -> TensorData {
        switch self {
        case .float(let v): .float(indices.map { v[$0] })
        case .double(let v): .double(indices.map { v[$0] })
        case .int64(let v): .int64(indices.map { v[$0] })
        case .int32(let v): .int32(indices.map { v[$0] })
        case .bool(let v): .bool(indices.map { v[$0] })
        case .string(let v): .string(indices.map { v[$0] })
        }
    }

    /// Several tensors' elements one after another; all must have this tensor's element type.
    static func joining(_ parts: [TensorData], op: String) throws(NightjarError) -> TensorData {
        guard let first = parts.first else { throw .invalidArgument("\(op): nothing to join") }
        func all<T>(_ pick: (TensorData) -> [T]?) throws(NightjarError) -> [T] {
            var out: [T] = []
            for p in parts {
                guard let v = pick(p) else {
                    throw .invalidArgument("\(op): inputs mix element types \(first.dataType.rawValue) and \(p.dataType.rawValue)")
                }
                out.append(contentsOf: v)
            }
            return out
        }
        switch first {
        case .float: return .float(try all { if case .float(let v) = $0 { v } else { nil } })
        case .double: return .double(try all { if case .double(let v) = $0 { v } else { nil } })
        case .int64: return .int64(try all { if case .int64(let v) = $0 { v } else { nil } })
        case .int32: return .int32(try all { if case .int32(let v) = $0 { v } else { nil } })
        case .bool: return .bool(try all { if case .bool(let v) = $0 { v } else { nil } })
        case .string: return .string(try all { if case .string(let v) = $0 { v } else { nil } })
        }
    }

    /// Integer elements as `Int`, for shape and index inputs.
    /// Element `i` of an int64 or int32 tensor, read in place where `integers(op:)` would copy them
    /// all; callers check the element type first.
    func integer(at i: Int) -> Int {
        switch self {
        case .int64(let v): Int(truncatingIfNeeded: v[i])
        case .int32(let v): Int(v[i])
        default: preconditionFailure("integer(at:) on a \(dataType.rawValue) tensor")
        }
    }

    func integers(op: String) throws(NightjarError) -> [Int] {
        switch self {
        case .int64(let v): return v.map { Int(truncatingIfNeeded: $0) }
        case .int32(let v): return v.map { Int($0) }
        default: throw .invalidArgument("\(op): expected an int64 or int32 tensor, got \(dataType.rawValue)")
        }
    }
}

extension Array where Element == Int {
    /// Row-major strides of a shape.
    var rowMajorStrides: [Int] {
        var strides = [Int](repeating: 1, count: count)
        var step = 1
        for i in stride(from: count - 1, through: 0, by: -1) {
            strides[i] = step
            step *= self[i]
        }
        return strides
    }
}
