import NightjarCore

/// Any JSON value, for request formats whose layout depends on the model (MLflow scoring).
indirect enum JSONValue: Sendable, Equatable, Codable {
    case null
    case scalar(JSONScalar)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else if let o = try? c.decode([String: JSONValue].self) { self = .object(o) }
        else { self = .scalar(try c.decode(JSONScalar.self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .scalar(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    var kind: String {
        switch self {
        case .null: "null"
        case .scalar(.string): "string"
        case .scalar(.bool): "boolean"
        case .scalar: "number"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The shape of nested arrays and their elements flat in row-major order; nil when ragged or
    /// holding objects or nulls.
    func flattened() -> (shape: [Int], elements: [JSONScalar])? {
        switch self {
        case .scalar(let s): return ([], [s])
        case .null, .object: return nil
        case .array(let items):
            var inner: [Int]?
            var elements: [JSONScalar] = []
            for item in items {
                guard let (shape, values) = item.flattened() else { return nil }
                if let inner, inner != shape { return nil }
                inner = shape
                elements += values
            }
            return ([items.count] + (inner ?? []), elements)
        }
    }
}
