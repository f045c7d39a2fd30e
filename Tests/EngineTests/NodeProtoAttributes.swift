import ONNXProto

/// Attributes of a node built by hand in a test, typed as converters write them.
extension Onnx_NodeProto {
    /// A list of integers: `kernel_shape`, `strides`, `pads`, `dilations`.
    mutating func addInts(_ name: String, _ values: [Int]) {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values.map { Int64($0) }
        self.attribute.append(attribute)
    }

    /// One integer: `group`, `ceil_mode`, `count_include_pad`.
    mutating func addInt(_ name: String, _ value: Int) {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = Int64(value)
        self.attribute.append(attribute)
    }
}
