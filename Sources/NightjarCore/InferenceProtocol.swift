/// Wire types of the Open Inference Protocol v2 (KServe v2 / Triton REST), JSON form.

/// One element of a JSON tensor's `data`. OIP allows the data nested by shape or flat;
/// decoding flattens it in row-major order.
public enum JSONScalar: Sendable, Equatable, Codable {
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "expected a number, boolean or string"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        }
    }

    var kind: String {
        switch self {
        case .int, .double: "number"
        case .bool: "boolean"
        case .string: "string"
        }
    }
}

/// Flat elements decoded from JSON data that may be nested arrays.
public struct FlatJSONData: Sendable, Equatable, Codable {
    public var elements: [JSONScalar]
    /// How the JSON nested them, for checking against the tensor's shape.
    public var nesting: DataNesting

    public init(_ elements: [JSONScalar], nesting: DataNesting? = nil) {
        self.elements = elements
        self.nesting = nesting ?? .flat(count: elements.count)
    }

    public init(from decoder: any Decoder) throws {
        var out: [JSONScalar] = []
        var nesting = DataNesting()
        try FlatJSONData.flatten(decoder, into: &out, nesting: &nesting, depth: 0)
        elements = out
        self.nesting = nesting
    }

    /// The same elements are the same data, however they were nested on the wire.
    public static func == (a: FlatJSONData, b: FlatJSONData) -> Bool { a.elements == b.elements }

    private static func flatten(_ decoder: any Decoder, into out: inout [JSONScalar], nesting: inout DataNesting, depth: Int) throws {
        guard depth < 32 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "data is nested deeper than 32 levels"))
        }
        if var array = try? decoder.unkeyedContainer() {
            var length = 0
            while !array.isAtEnd {
                let nested = try array.superDecoder()
                try flatten(nested, into: &out, nesting: &nesting, depth: depth + 1)
                length += 1
            }
            nesting.array(atLevel: depth, length: length)
        } else {
            out.append(try JSONScalar(from: decoder))
            nesting.scalar(atDepth: depth)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        for e in elements { try c.encode(e) }
    }
}

/// A tensor in JSON form, as OIP requests carry inputs and responses carry outputs.
public struct InferTensor: Sendable, Codable, Equatable {
    public var name: String
    public var shape: [Int]
    public var datatype: String
    public var data: FlatJSONData

    public init(name: String, shape: [Int], datatype: String, data: [JSONScalar]) {
        self.name = name
        self.shape = shape
        self.datatype = datatype
        self.data = FlatJSONData(data)
    }

    /// Keeps how the data was nested, so `tensor()` can check it against `shape`.
    public init(name: String, shape: [Int], datatype: String, data: FlatJSONData) {
        self.name = name
        self.shape = shape
        self.datatype = datatype
        self.data = data
    }
}

public struct InferRequestedOutput: Sendable, Codable, Equatable {
    public var name: String
    public init(name: String) { self.name = name }
}

public struct InferRequest: Sendable, Codable, Equatable {
    public var id: String?
    public var inputs: [InferTensor]
    public var outputs: [InferRequestedOutput]?

    public init(id: String? = nil, inputs: [InferTensor], outputs: [InferRequestedOutput]? = nil) {
        self.id = id
        self.inputs = inputs
        self.outputs = outputs
    }
}

public struct InferResponse: Sendable, Codable, Equatable {
    public var model_name: String
    public var model_version: String
    public var id: String?
    public var outputs: [InferTensor]

    public init(modelName: String, modelVersion: String, id: String?, outputs: [InferTensor]) {
        self.model_name = modelName
        self.model_version = modelVersion
        self.id = id
        self.outputs = outputs
    }
}

/// `GET /v2/models/{m}` answer.
public struct ModelMetadataResponse: Sendable, Codable, Equatable {
    public struct TensorMetadata: Sendable, Codable, Equatable {
        public var name: String
        public var datatype: String
        public var shape: [Int]
        public init(name: String, datatype: String, shape: [Int]) {
            self.name = name
            self.datatype = datatype
            self.shape = shape
        }
    }
    public var name: String
    public var versions: [String]
    public var platform: String
    public var inputs: [TensorMetadata]
    public var outputs: [TensorMetadata]

    public init(name: String, versions: [String], platform: String, inputs: [TensorMetadata], outputs: [TensorMetadata]) {
        self.name = name
        self.versions = versions
        self.platform = platform
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// `GET /v2` answer.
public struct ServerMetadataResponse: Sendable, Codable, Equatable {
    public var name: String
    public var version: String
    public var extensions: [String]
    public init(name: String, version: String, extensions: [String]) {
        self.name = name
        self.version = version
        self.extensions = extensions
    }
}
