import NightjarCore

/// `ai.onnx.ml.ZipMap`: turns each row of class scores into a map from class label to score.
struct ZipMapKernel: Kernel {
    let keys: MapRows.Keys

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        let ints = attributes.ints("classlabels_int64s")
        let strings = attributes.strings("classlabels_strings")
        guard ints.isEmpty != strings.isEmpty else {
            throw attributes.invalid("classlabels_int64s", "and classlabels_strings: exactly one of them must be given")
        }
        keys = ints.isEmpty ? .string(strings) : .int64(ints)
    }

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        let (values, _, columns) = try KernelInputs(values: inputs, op: "ZipMap").floatMatrix(0)
        guard columns == keys.count else {
            throw .invalidArgument("ZipMap: input has \(columns) columns but \(keys.count) class labels")
        }
        return [.maps(MapRows(keys: keys, values: values))]
    }
}
