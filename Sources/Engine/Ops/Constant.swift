import NightjarCore

/// `Constant`: a tensor held in an attribute (`value`, or from opset 12 `value_float(s)`,
/// `value_int(s)`, `value_string(s)`). Sparse constants are refused.
struct ConstantKernel: SingleOutputKernel {
    let value: Tensor

    init(_ a: NodeAttributes) throws(NightjarError) {
        if a.has("sparse_value") { throw a.invalid("sparse_value", "is a sparse tensor, which the engine does not support") }
        if let t = try a.tensor("value") {
            value = t
        } else if a.has("value_float") {
            value = Tensor(shape: [], data: .float([try a.float("value_float")]))
        } else if a.has("value_floats") {
            let v = a.floats("value_floats")
            value = Tensor(shape: [v.count], data: .float(v))
        } else if a.has("value_int") {
            value = Tensor(shape: [], data: .int64([Int64(try a.int("value_int"))]))
        } else if a.has("value_ints") {
            let v = a.ints("value_ints")
            value = Tensor(shape: [v.count], data: .int64(v))
        } else if a.has("value_string") {
            value = Tensor(shape: [], data: .string([try a.string("value_string")]))
        } else if a.has("value_strings") {
            let v = a.strings("value_strings")
            value = Tensor(shape: [v.count], data: .string(v))
        } else {
            throw a.missing("value")
        }
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value { .tensor(value) }
}

/// `ConstantOfShape`: a tensor of the given shape filled with one value (float zero by default).
struct ConstantOfShapeKernel: SingleOutputKernel {
    let fill: TensorData

    init(_ a: NodeAttributes) throws(NightjarError) {
        if let t = try a.tensor("value") {
            guard t.data.count == 1 else { throw a.invalid("value", "must hold exactly one element") }
            fill = t.data
        } else {
            fill = .float([0])
        }
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let shape = try KernelInputs(values: inputs, op: "ConstantOfShape").tensor(0).data.integers(op: "ConstantOfShape")
        let n = try Shapes.count(shape, op: "ConstantOfShape")
        return .tensor(Tensor(shape: shape, data: fill.gathering(Array(repeating: 0, count: n))))
    }
}
