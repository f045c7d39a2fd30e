import NightjarCore

/// `ai.onnx.ml.Imputer`: replaces a marker value (NaN by default for floats as skl2onnx writes it)
/// with one value per column, or one for all columns.
struct ImputerKernel: SingleOutputArenaKernel {
    let floats: [Float]
    let ints: [Int64]
    let replacedFloat: Float
    let replacedInt: Int64

    init(_ a: NodeAttributes) throws(NightjarError) {
        floats = a.floats("imputed_value_floats")
        ints = a.ints("imputed_value_int64s")
        replacedFloat = try a.float("replaced_value_float", default: 0)
        replacedInt = Int64(try a.int("replaced_value_int64", default: 0))
        guard floats.isEmpty != ints.isEmpty else {
            throw a.invalid("imputed_value_floats", "and imputed_value_int64s: exactly one of them must be given")
        }
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: "Imputer").tensor(0)
        try Shapes.check(x, op: "Imputer")
        let columns = x.shape.last ?? 1
        let imputed = floats.isEmpty ? ints.count : floats.count
        guard imputed == 1 || imputed == columns else {
            throw .invalidArgument("Imputer: \(imputed) imputed values for \(columns) columns")
        }
        /// Every element written: the input's, or the column's imputed value where the input has the marker.
        func fill<T>(_ v: [T], _ with: [T], _ isMarker: (T) -> Bool, into out: UnsafeMutableBufferPointer<T>) {
            for (i, e) in v.enumerated() { out[i] = isMarker(e) ? with[with.count == 1 ? 0 : i % columns] : e }
        }
        let marker = replacedFloat
        switch x.data {
        case .float(let v) where !floats.isEmpty:
            let out = arena.floats(count: v.count) { fill(v, floats, { marker.isNaN ? $0.isNaN : $0 == marker }, into: $0) }
            return .tensor(Tensor(shape: x.shape, data: .float(out)))
        case .double(let v) where !floats.isEmpty:
            let m = Double(marker)
            let out = arena.floats(count: v.count) { fill(v.map { Float($0) }, floats, { m.isNaN ? $0.isNaN : Double($0) == m }, into: $0) }
            return .tensor(Tensor(shape: x.shape, data: .float(out)))
        case .int64(let v) where !ints.isEmpty:
            let out = arena.int64s(count: v.count) { fill(v, ints, { $0 == replacedInt }, into: $0) }
            return .tensor(Tensor(shape: x.shape, data: .int64(out)))
        default:
            throw .invalidArgument("Imputer: a \(x.dataType.rawValue) input does not fit the model's \(floats.isEmpty ? "int64" : "float") imputed values")
        }
    }
}
