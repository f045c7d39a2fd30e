import NightjarCore

/// `ai.onnx.ml.ZipMap`: turns each row of class scores into a map from class label to score.
struct ZipMapKernel: SingleOutputKernel {
    let keys: ClassLabels

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        keys = try ClassLabels(attributes, ints: "classlabels_int64s", strings: "classlabels_strings")
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let (values, _, columns) = try KernelInputs(values: inputs, op: "ZipMap").floatMatrix(0)
        guard columns == keys.count else {
            throw .invalidArgument("ZipMap: input has \(columns) columns but \(keys.count) class labels")
        }
        return .maps(MapRows(keys: keys, values: values))
    }
}
