import Foundation
import NightjarCore

/// `Cast`: converts element types. Float to integer truncates toward zero, as onnxruntime does;
/// numbers to strings use the shortest form that round-trips.
struct CastKernel: SingleOutputArenaKernel {
    let target: DataType
    /// Set (`passingSameType()`) for a Cast into a graph output, whose buffer leaves with the caller
    /// either way, and for one of a graph input already of the target type, which would copy the
    /// request for nothing: an input of the target type is passed on as it is. Elsewhere the output
    /// is always a buffer of its own, which the arena takes back when it dies.
    private(set) var passesSameType = false

    /// The output may be the input itself when `passesSameType`.
    var writesFreshOutputs: Bool { !passesSameType }

    func passingSameType() -> CastKernel {
        var kernel = self
        kernel.passesSameType = true
        return kernel
    }

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        let code = try attributes.int("to")
        guard let type = ElementType.dataType(onnx: Int32(code)) else {
            throw attributes.invalid("to", "= \(ElementType.name(onnx: Int32(code))) is not supported")
        }
        target = type
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: "Cast").tensor(0)
        // A Cast that may pass its input on is no buffer owner, so it draws nothing from the arena.
        if passesSameType { return .tensor(Tensor(shape: x.shape, data: try Self.convert(x.data, to: target))) }
        return .tensor(Tensor(shape: x.shape, data: try Self.convert(x.data, to: target, arena: &arena)))
    }

    /// `convert`, with the casts classifiers and masks make every run written into arena buffers.
    /// A cast to the same type copies rather than passing its input on, so the output never shares
    /// a buffer and goes back to the arena when it dies (a label's int32 → int64 `Cast` would
    /// otherwise keep the step before it from ever reusing its buffer).
    static func convert(_ data: TensorData, to target: DataType, arena: inout TensorArena) throws(NightjarError) -> TensorData {
        switch (data, target) {
        case (.float(let v), .fp32): return .float(arena.floats(count: v.count) { copy(v, into: $0) })
        case (.int64(let v), .int64): return .int64(arena.int64s(count: v.count) { copy(v, into: $0) })
        case (.int32(let v), .int32): return .int32(arena.int32s(count: v.count) { copy(v, into: $0) })
        case (.bool(let v), .bool): return .bool(arena.bools(count: v.count) { copy(v, into: $0) })
        case (.int32(let v), .int64): return .int64(arena.int64s(count: v.count) { o in for i in v.indices { o[i] = Int64(v[i]) } })
        case (.bool(let v), .fp32): return .float(arena.floats(count: v.count) { o in for i in v.indices { o[i] = v[i] ? 1 : 0 } })
        case (.float(let v), .bool): return .bool(arena.bools(count: v.count) { o in for i in v.indices { o[i] = v[i] != 0 } })
        // Through double, as `convert` goes: the same rounding.
        case (.int64(let v), .fp32): return .float(arena.floats(count: v.count) { o in for i in v.indices { o[i] = Float(Double(v[i])) } })
        case (.int32(let v), .fp32): return .float(arena.floats(count: v.count) { o in for i in v.indices { o[i] = Float(Double(v[i])) } })
        // New arrays either way; the same type is copied for the reason above.
        case (.double(let v), .fp64): return .double(v.map { $0 })
        case (.string(let v), .bytes): return .string(v.map { $0 })
        default: return try convert(data, to: target)
        }
    }

    static func convert(_ data: TensorData, to target: DataType) throws(NightjarError) -> TensorData {
        if data.dataType == target { return data }
        // Widening integers (a classifier's int32 class labels to int64) needs no detour through
        // double and its exactness check, which was most of the cost of a classifier's label output.
        if case .int32(let v) = data, target == .int64 { return .int64(v.map { Int64($0) }) }
        let doubles: [Double]
        switch data {
        case .float(let v): doubles = v.map(Double.init)
        case .double(let v): doubles = v
        case .int64(let v): doubles = v.map(Double.init)
        case .int32(let v): doubles = v.map(Double.init)
        case .bool(let v): doubles = v.map { $0 ? 1 : 0 }
        case .string(let v):
            var parsed: [Double] = []
            for s in v {
                guard let d = Double(s) else { throw .invalidArgument("Cast: '\(s)' is not a number") }
                parsed.append(d)
            }
            doubles = parsed
        }
        switch target {
        case .fp32: return .float(doubles.map { Float($0) })
        case .fp64: return .double(doubles)
        case .int64: return .int64(try doubles.map { d throws(NightjarError) in try integer(d, Int64.self) })
        case .int32, .int8, .uint8: return .int32(try doubles.map { d throws(NightjarError) in try integer(d, Int32.self) })
        case .bool: return .bool(doubles.map { $0 != 0 })
        case .bytes:
            if case .int64(let v) = data { return .string(v.map(String.init)) }
            if case .int32(let v) = data { return .string(v.map(String.init)) }
            return .string(doubles.map { "\($0)" })
        }
    }

    /// One block copy (`update(fromContentsOf:)` went element by element: +2% of an MLP at batch 1000).
    private static func copy<T>(_ v: [T], into out: UnsafeMutableBufferPointer<T>) {
        v.withUnsafeBufferPointer { src in
            guard let from = src.baseAddress, let to = out.baseAddress else { return }
            to.update(from: from, count: src.count)
        }
    }

    private static func integer<I: FixedWidthInteger>(_ d: Double, _: I.Type) throws(NightjarError) -> I {
        guard let i = I(exactly: d.rounded(.towardZero)) else {
            throw .invalidArgument("Cast: \(d) does not fit in \(I.self)")
        }
        return i
    }
}
