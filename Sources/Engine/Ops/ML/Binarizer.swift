import NightjarCore

/// `ai.onnx.ml.Binarizer`: 1 above the threshold, 0 otherwise, in the input's type.
struct BinarizerKernel: Kernel {
    let threshold: Float

    init(_ a: NodeAttributes) throws(NightjarError) {
        threshold = try a.float("threshold", default: 0)
    }

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        let x = try KernelInputs(values: inputs, op: "Binarizer").tensor(0)
        switch x.data {
        case .float(let v): return [.tensor(Tensor(shape: x.shape, data: .float(v.map { $0 > threshold ? 1 : 0 })))]
        case .double(let v):
            let t = Double(threshold)
            return [.tensor(Tensor(shape: x.shape, data: .double(v.map { $0 > t ? 1 : 0 })))]
        case .int64(let v):
            let t = Double(threshold)
            return [.tensor(Tensor(shape: x.shape, data: .int64(v.map { Double($0) > t ? 1 : 0 })))]
        case .int32(let v):
            let t = Double(threshold)
            return [.tensor(Tensor(shape: x.shape, data: .int32(v.map { Double($0) > t ? 1 : 0 })))]
        default: throw .invalidArgument("Binarizer expects a numeric input, got \(x.dataType.rawValue)")
        }
    }
}
