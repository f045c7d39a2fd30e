/// The elements of a tensor, stored flat in row-major order.
public enum TensorData: Sendable, Equatable {
    case float([Float])
    case double([Double])
    case int64([Int64])
    case int32([Int32])
    case bool([Bool])
    case string([String])

    public var count: Int {
        switch self {
        case .float(let v): v.count
        case .double(let v): v.count
        case .int64(let v): v.count
        case .int32(let v): v.count
        case .bool(let v): v.count
        case .string(let v): v.count
        }
    }

    public var dataType: DataType {
        switch self {
        case .float: .fp32
        case .double: .fp64
        case .int64: .int64
        case .int32: .int32
        case .bool: .bool
        case .string: .bytes
        }
    }
}

/// A dense tensor: a shape and its elements.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: TensorData

    public init(shape: [Int], data: TensorData) {
        self.shape = shape
        self.data = data
    }

    public var elementCount: Int { shape.reduce(1, *) }
    public var dataType: DataType { data.dataType }
}
