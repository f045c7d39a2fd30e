/// Converting between OIP JSON tensors and engine tensors, with errors that name the input.

extension InferTensor {
    /// The tensor this JSON input describes, checked for a known datatype, a valid shape and
    /// elements of the declared type.
    public func tensor() throws(NightjarError) -> Tensor {
        let (type, declaredCount) = try Self.declared(name: name, datatype: datatype, shape: shape)
        guard let count = declaredCount, count == data.elements.count else {
            throw .invalidArgument("input '\(name)': shape \(shape) needs \(declaredCount.map(String.init) ?? "too many") elements but data has \(data.elements.count)")
        }
        // Flat data is fine; nested data must be nested as the shape says, or rows could silently shift.
        if let problem = data.nesting.mismatch(with: shape) { throw .invalidArgument("input '\(name)': \(problem)") }
        let elements = data.elements
        func mismatch(_ i: Int) -> NightjarError {
            .invalidArgument("input '\(name)': element \(i) is a \(elements[i].kind), but datatype \(datatype) needs \(type.elementKind)")
        }
        switch type {
        case .fp32, .fp64:
            var values: [Double] = []
            values.reserveCapacity(elements.count)
            for (i, e) in elements.enumerated() {
                switch e {
                case .int(let v): values.append(Double(v))
                case .double(let v): values.append(v)
                default: throw mismatch(i)
                }
            }
            return Tensor(shape: shape, data: type == .fp32 ? .float(values.map { Float($0) }) : .double(values))
        case .int64, .int32, .int8, .uint8:
            var values: [Int64] = []
            values.reserveCapacity(elements.count)
            for (i, e) in elements.enumerated() {
                guard case .int(let v) = e else { throw mismatch(i) }
                guard type.range.contains(v) else {
                    throw .invalidArgument("input '\(name)': element \(i) = \(v) is out of range for \(datatype)")
                }
                values.append(v)
            }
            return Tensor(shape: shape, data: type == .int64 ? .int64(values) : .int32(values.map { Int32($0) }))
        case .bool:
            var values: [Bool] = []
            for (i, e) in elements.enumerated() {
                guard case .bool(let v) = e else { throw mismatch(i) }
                values.append(v)
            }
            return Tensor(shape: shape, data: .bool(values))
        case .bytes:
            var values: [String] = []
            for (i, e) in elements.enumerated() {
                guard case .string(let v) = e else { throw mismatch(i) }
                values.append(v)
            }
            return Tensor(shape: shape, data: .string(values))
        }
    }
}

extension InferTensor {
    /// The datatype an input declares and the number of elements its shape holds (nil when that
    /// overflows), with errors naming the input; whatever form its elements come in (JSON here,
    /// raw bytes in the worker's binary tensor extension).
    public static func declared(name: String, datatype: String, shape: [Int]) throws(NightjarError) -> (type: DataType, count: Int?) {
        guard let type = DataType(rawValue: datatype) else {
            let known = DataType.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidArgument("input '\(name)': unknown datatype '\(datatype)' (expected one of \(known))")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw .invalidArgument("input '\(name)': shape \(shape) has a negative dimension")
        }
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        return (type, overflow ? nil : count)
    }

    /// The JSON form of an engine tensor.
    public init(name: String, tensor: Tensor) {
        let data: [JSONScalar]
        switch tensor.data {
        case .float(let v): data = v.map { .double(Double($0)) }
        case .double(let v): data = v.map { .double($0) }
        case .int64(let v): data = v.map { .int($0) }
        case .int32(let v): data = v.map { .int(Int64($0)) }
        case .bool(let v): data = v.map { .bool($0) }
        case .string(let v): data = v.map { .string($0) }
        }
        self.init(name: name, shape: tensor.shape, datatype: tensor.dataType.rawValue, data: data)
    }
}

extension DataType {
    var elementKind: String {
        switch self {
        case .fp32, .fp64: "numbers"
        case .int64, .int32, .int8, .uint8: "integers"
        case .bool: "booleans"
        case .bytes: "strings"
        }
    }

    var range: ClosedRange<Int64> {
        switch self {
        case .int8: Int64(Int8.min)...Int64(Int8.max)
        case .uint8: 0...255
        case .int32: Int64(Int32.min)...Int64(Int32.max)
        default: Int64.min...Int64.max
        }
    }
}
