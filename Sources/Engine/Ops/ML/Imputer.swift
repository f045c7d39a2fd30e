import NightjarCore

/// `ai.onnx.ml.Imputer`: replaces a marker value (NaN by default for floats as skl2onnx writes it)
/// with one value per column, or one for all columns.
struct ImputerKernel: Kernel {
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

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        let x = try KernelInputs(values: inputs, op: "Imputer").tensor(0)
        try Shapes.check(x, op: "Imputer")
        let columns = x.shape.last ?? 1
        func fill<T>(_ v: [T], _ with: [T], _ isMarker: (T) -> Bool) throws(NightjarError) -> [T] {
            guard with.count == 1 || with.count == columns else {
                throw .invalidArgument("Imputer: \(with.count) imputed values for \(columns) columns")
            }
            return v.enumerated().map { i, e in isMarker(e) ? with[with.count == 1 ? 0 : i % columns] : e }
        }
        let marker = replacedFloat
        switch x.data {
        case .float(let v) where !floats.isEmpty:
            return [.tensor(Tensor(shape: x.shape, data: .float(try fill(v, floats) { marker.isNaN ? $0.isNaN : $0 == marker })))]
        case .double(let v) where !floats.isEmpty:
            let m = Double(marker)
            return [.tensor(Tensor(shape: x.shape, data: .float(try fill(v.map { Float($0) }, floats) { m.isNaN ? $0.isNaN : Double($0) == m })))]
        case .int64(let v) where !ints.isEmpty:
            return [.tensor(Tensor(shape: x.shape, data: .int64(try fill(v, ints) { $0 == replacedInt })))]
        default:
            throw .invalidArgument("Imputer: a \(x.dataType.rawValue) input does not fit the model's \(floats.isEmpty ? "int64" : "float") imputed values")
        }
    }
}
