/// One named input or output of a model: its element type and shape (`-1` for a dimension of any size).
public struct TensorSpec: Sendable, Codable, Equatable {
    public var name: String
    public var datatype: DataType
    public var shape: [Int]

    public init(name: String, datatype: DataType, shape: [Int]) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
    }

    /// Whether `shape` fits this spec: same rank, equal wherever the spec is fixed.
    public func accepts(shape other: [Int]) -> Bool {
        other.count == shape.count && zip(shape, other).allSatisfy { $0 < 0 || $0 == $1 }
    }
}

/// What a model version takes and gives, read from its ONNX graph.
public struct FeatureSchema: Sendable, Codable, Equatable {
    public var inputs: [TensorSpec]
    public var outputs: [TensorSpec]

    public init(inputs: [TensorSpec], outputs: [TensorSpec]) {
        self.inputs = inputs
        self.outputs = outputs
    }
}
