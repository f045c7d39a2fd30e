import NightjarCore

/// `ai.onnx.ml.OneHotEncoder`: each element becomes a row of zeros with a one at its category; the
/// output shape is the input's plus the category count. Unknown values give zeros, or are an error
/// when `zeros` is 0.
struct OneHotEncoderKernel: SingleOutputArenaKernel {
    let intCategories: [Int64: Int]
    let stringCategories: [String: Int]
    let count: Int
    let zeros: Bool

    init(_ a: NodeAttributes) throws(NightjarError) {
        let ints = a.ints("cats_int64s")
        let strings = a.strings("cats_strings")
        guard ints.isEmpty != strings.isEmpty else {
            throw a.invalid("cats_int64s", "and cats_strings: exactly one of them must be given")
        }
        intCategories = Dictionary(ints.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        stringCategories = Dictionary(strings.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        count = max(ints.count, strings.count)
        zeros = try a.int("zeros", default: 1) != 0
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: "OneHotEncoder").tensor(0)
        try Shapes.check(x, op: "OneHotEncoder")
        let out: [Float], unknown: Int?
        switch x.data {
        case .string(let v):
            guard !stringCategories.isEmpty else { throw .invalidArgument("OneHotEncoder: string input, but the categories are integers") }
            (out, unknown) = encode(v, arena: &arena) { stringCategories[$0] }
        case .int64(let v): (out, unknown) = encode(v, arena: &arena) { intCategories[$0] }
        case .int32(let v): (out, unknown) = encode(v, arena: &arena) { intCategories[Int64($0)] }
        case .float(let v): (out, unknown) = encode(v, arena: &arena) { $0.isFinite && abs($0) < 9e18 ? intCategories[Int64($0)] : nil }
        case .double(let v): (out, unknown) = encode(v, arena: &arena) { $0.isFinite && abs($0) < 9e18 ? intCategories[Int64($0)] : nil }
        case .bool: throw .invalidArgument("OneHotEncoder: boolean input is not supported")
        }
        if !zeros, let unknown {
            arena.recycle(out)
            throw .invalidArgument("OneHotEncoder: element \(unknown) is not one of the model's categories")
        }
        let rank = x.shape.count
        return .tensor(Tensor(shape: arena.shape(rank: rank + 1) { $0 < rank ? x.shape[$0] : count }, data: .float(out)))
    }

    /// One row of `count` per element, zeros but a one at its category; and the first element with
    /// no category, if any.
    private func encode<Element>(_ values: [Element], arena: inout TensorArena,
                                 _ category: (Element) -> Int?) -> (out: [Float], unknown: Int?) {
        var unknown: Int?
        let count = self.count
        let out = arena.floats(count: values.count * count) { out in
            // An arena buffer holds the last run's values: every element is written.
            out.update(repeating: 0)
            for (i, value) in values.enumerated() {
                if let p = category(value) { out[i * count + p] = 1 } else if unknown == nil { unknown = i }
            }
        }
        return (out, unknown)
    }
}
