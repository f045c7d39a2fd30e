import NightjarCore

/// `ai.onnx.ml.ArrayFeatureExtractor`: picks columns of the last axis by index, any element type.
/// A 1-D input gives one row, as onnxruntime shapes it.
struct ArrayFeatureExtractorKernel: SingleOutputArenaKernel {
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "ArrayFeatureExtractor")
        let x = try args.tensor(0)
        try Shapes.check(x, op: "ArrayFeatureExtractor")
        let picks = try args.tensor(1).data
        guard picks.dataType == .int64 || picks.dataType == .int32 else {
            throw .invalidArgument("ArrayFeatureExtractor: expected an int64 or int32 tensor, got \(picks.dataType.rawValue)")
        }
        guard let columns = x.shape.last, picks.count > 0 else {
            throw .invalidArgument("ArrayFeatureExtractor: needs a non-scalar input and at least one index")
        }
        for k in 0..<picks.count {
            let p = picks.integer(at: k)
            guard p >= 0, p < columns else { throw .invalidArgument("ArrayFeatureExtractor: index \(p) is outside 0..<\(columns)") }
        }
        let rows = columns == 0 ? 0 : x.data.count / columns
        let rank = max(x.shape.count, 2)
        let shape = arena.shape(rank: rank) { d in
            d == rank - 1 ? picks.count : (x.shape.count == 1 ? 1 : x.shape[d])
        }
        let n = rows * picks.count
        // Written straight into arena buffers: the index list a gather would build is an
        // allocation per run for what is, in a classifier's label step, one element.
        let data: TensorData = switch x.data {
        case .float(let v): .float(arena.floats(count: n) { Self.pick(v, columns, picks, into: $0) })
        case .int64(let v): .int64(arena.int64s(count: n) { Self.pick(v, columns, picks, into: $0) })
        case .int32(let v): .int32(arena.int32s(count: n) { Self.pick(v, columns, picks, into: $0) })
        case .bool(let v): .bool(arena.bools(count: n) { Self.pick(v, columns, picks, into: $0) })
        case .double(let v): .double(Self.picked(v, columns, picks, rows))
        case .string(let v): .string(Self.picked(v, columns, picks, rows))
        }
        return .tensor(Tensor(shape: shape, data: data))
    }

    /// Row `r`'s picked columns, one row after another, into `out` (rows × picks elements).
    private static func pick<T>(_ v: [T], _ columns: Int, _ picks: TensorData, into out: UnsafeMutableBufferPointer<T>) {
        let width = picks.count
        for r in 0..<(out.count / width) {
            for k in 0..<width { out[r * width + k] = v[r * columns + picks.integer(at: k)] }
        }
    }

    /// The same into a new array, for the element types the arena does not keep.
    private static func picked<T>(_ v: [T], _ columns: Int, _ picks: TensorData, _ rows: Int) -> [T] {
        var out: [T] = []
        out.reserveCapacity(rows * picks.count)
        for r in 0..<rows {
            for k in 0..<picks.count { out.append(v[r * columns + picks.integer(at: k)]) }
        }
        return out
    }
}
