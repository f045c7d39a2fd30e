import NightjarCore

/// `ai.onnx.ml.OneHotEncoder`: each element becomes a row of zeros with a one at its category; the
/// output shape is the input's plus the category count. Unknown values give zeros, or are an error
/// when `zeros` is 0.
struct OneHotEncoderKernel: Kernel {
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

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        let x = try KernelInputs(values: inputs, op: "OneHotEncoder").tensor(0)
        try Shapes.check(x, op: "OneHotEncoder")
        var positions: [Int?]
        switch x.data {
        case .string(let v):
            guard !stringCategories.isEmpty else { throw .invalidArgument("OneHotEncoder: string input, but the categories are integers") }
            positions = v.map { stringCategories[$0] }
        case .int64(let v): positions = v.map { intCategories[$0] }
        case .int32(let v): positions = v.map { intCategories[Int64($0)] }
        case .float(let v): positions = v.map { $0.isFinite && abs($0) < 9e18 ? intCategories[Int64($0)] : nil }
        case .double(let v): positions = v.map { $0.isFinite && abs($0) < 9e18 ? intCategories[Int64($0)] : nil }
        case .bool: throw .invalidArgument("OneHotEncoder: boolean input is not supported")
        }
        if !zeros, let i = positions.firstIndex(where: { $0 == nil }) {
            throw .invalidArgument("OneHotEncoder: element \(i) is not one of the model's categories")
        }
        var out = [Float](repeating: 0, count: positions.count * count)
        for (i, p) in positions.enumerated() {
            if let p { out[i * count + p] = 1 }
        }
        return [.tensor(Tensor(shape: x.shape + [count], data: .float(out)))]
    }
}
