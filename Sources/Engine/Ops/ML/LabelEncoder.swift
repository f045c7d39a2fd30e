import NightjarCore

/// `ai.onnx.ml.LabelEncoder`: maps each element through a lookup table with a default.
/// Opset 1 maps strings to their index in `classes_strings` and indices back to strings; opsets
/// 2–4 give key and value lists of int64, string or float (opset 4 keys also as a tensor).
struct LabelEncoderKernel: Kernel {
    enum Keys: Sendable { case ints([Int64: Int]), strings([String: Int]), floats([Float: Int]) }

    let keys: Keys
    /// Values in key order, then the default.
    let values: TensorData
    let defaultIndex: Int
    /// Opset 1's reverse direction: int64 indices to strings, and its default for unknown strings.
    let classes: [String]?
    let defaultInt: Int64

    init(_ a: NodeAttributes, opset: Int) throws(NightjarError) {
        func table<K: Hashable>(_ list: [K]) -> [K: Int] {
            Dictionary(list.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
        defaultInt = Int64(try a.int("default_int64", default: -1))
        if opset == 1 {
            let names = a.strings("classes_strings")
            classes = names
            keys = .strings(table(names))
            values = .int64(names.indices.map { Int64($0) } + [defaultInt])
            defaultIndex = names.count
            return
        }
        classes = nil
        let keyCount: Int
        if a.has("keys_int64s") {
            let k = a.ints("keys_int64s"); keys = .ints(table(k)); keyCount = k.count
        } else if a.has("keys_strings") {
            let k = a.strings("keys_strings"); keys = .strings(table(k)); keyCount = k.count
        } else if a.has("keys_floats") {
            let k = a.floats("keys_floats"); keys = .floats(table(k)); keyCount = k.count
        } else {
            throw a.missing("keys_int64s")
        }
        if a.has("values_int64s") {
            values = .int64(a.ints("values_int64s") + [defaultInt])
        } else if a.has("values_strings") {
            values = .string(a.strings("values_strings") + [try a.string("default_string", default: "_Unused")])
        } else if a.has("values_floats") {
            values = .float(a.floats("values_floats") + [try a.float("default_float", default: -0.0)])
        } else {
            throw a.missing("values_int64s")
        }
        guard values.count == keyCount + 1 else {
            throw a.invalid("values_*", "has \(values.count - 1) entries for \(keyCount) keys")
        }
        defaultIndex = keyCount
    }

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        let x = try KernelInputs(values: inputs, op: "LabelEncoder").tensor(0)
        let picks: [Int]
        switch (keys, x.data) {
        case (.ints(let t), .int64(let v)): picks = v.map { t[$0] ?? defaultIndex }
        case (.strings(let t), .string(let v)): picks = v.map { t[$0] ?? defaultIndex }
        case (.floats(let t), .float(let v)): picks = v.map { t[$0] ?? defaultIndex }
        case (.strings, .int64(let v)):
            guard let classes else { fallthrough }
            return [.tensor(Tensor(shape: x.shape, data: .string(v.map { i in
                i >= 0 && i < Int64(classes.count) ? classes[Int(i)] : "_Unused"
            })))]
        default:
            throw .invalidArgument("LabelEncoder: a \(x.dataType.rawValue) input does not match the model's keys")
        }
        return [.tensor(Tensor(shape: x.shape, data: values.gathering(picks)))]
    }
}
