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

extension FeatureSchema {
    /// Checks a request's tensors against the declared inputs: every input present, none unknown,
    /// the declared element type, a fitting shape. Errors name the input and what was expected.
    public func validate(_ inputs: [String: Tensor]) throws(NightjarError) {
        // Every call of a served model passes here: a few declared names are compared directly,
        // since a set and a sorted key list cost more than the rest of a small model's run.
        let known = self.inputs.count <= 16
            ? inputs.keys.allSatisfy { key in self.inputs.contains { $0.name == key } }
            : Set(inputs.keys).isSubset(of: self.inputs.map(\.name))
        if !known {
            let declared = Set(self.inputs.map(\.name))
            if let unknown = inputs.keys.sorted().first(where: { !declared.contains($0) }) {
                throw .invalidArgument("unknown input '\(unknown)': this model takes \(self.inputs.map { "'\($0.name)'" }.joined(separator: ", "))")
            }
        }
        for spec in self.inputs {
            guard let tensor = inputs[spec.name] else {
                throw .invalidArgument("missing input '\(spec.name)' (\(spec.datatype.rawValue) \(spec.shapeText))")
            }
            guard tensor.dataType == spec.datatype else {
                throw .invalidArgument("input '\(spec.name)': datatype \(tensor.dataType.rawValue) given, \(spec.datatype.rawValue) expected")
            }
            guard spec.accepts(shape: tensor.shape) else {
                throw .invalidArgument("input '\(spec.name)': shape \(tensor.shape) given, \(spec.shapeText) expected")
            }
        }
    }
}

extension TensorSpec {
    /// `[-1, 6]` printed as `[N, 6]`, which is how an operator reads a batch dimension.
    public var shapeText: String {
        "[" + shape.map { $0 < 0 ? "N" : String($0) }.joined(separator: ", ") + "]"
    }
}
