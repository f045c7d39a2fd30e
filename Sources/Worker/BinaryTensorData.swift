import NightjarCore

/// Tensors in the raw form of the Open Inference Protocol's binary tensor extension: elements in
/// row-major order, little-endian whatever the machine; BOOL, INT8 and UINT8 one byte each (BOOL 0
/// or 1); BYTES each a 4-byte little-endian length followed by that many bytes.
///
/// Every size is checked against shape × datatype before a byte is read, so a request that lies
/// about its sizes is a 400 naming the input, never an out-of-bounds read.
enum BinaryTensorData {
    /// The tensor that `bytes` hold for the input `name`, declared as `datatype` and `shape`.
    static func tensor(name: String, datatype: String, shape: [Int], bytes: ArraySlice<UInt8>) throws(NightjarError) -> Tensor {
        let (type, declaredCount) = try InferTensor.declared(name: name, datatype: datatype, shape: shape)
        guard let count = declaredCount else {
            throw .invalidArgument("input '\(name)': shape \(shape) has too many elements")
        }
        if type == .bytes {
            return Tensor(shape: shape, data: .string(try strings(name: name, count: count, bytes: bytes)))
        }
        let width = type.binaryWidth
        let (needed, tooMany) = count.multipliedReportingOverflow(by: width)
        guard !tooMany, needed == bytes.count else {
            throw .invalidArgument("input '\(name)': binary_data_size is \(bytes.count) bytes, but shape \(shape) of \(datatype) needs \(tooMany ? "more than fit in memory" : String(needed)) (\(count) elements × \(width) bytes)")
        }
        switch type {
        // Read as INT32, as the JSON form reads them: the engine has no 8-bit tensors.
        case .int8:
            return Tensor(shape: shape, data: .int32(bytes.map { Int32(Int8(bitPattern: $0)) }))
        case .uint8:
            return Tensor(shape: shape, data: .int32(bytes.map { Int32($0) }))
        case .bool:
            if let at = bytes.firstIndex(where: { $0 > 1 }) {
                throw .invalidArgument("input '\(name)': element \(at - bytes.startIndex) is the byte \(bytes[at]), but BOOL elements are 0 or 1")
            }
            return Tensor(shape: shape, data: .bool(bytes.map { $0 == 1 }))
        default:
            return Tensor(shape: shape, data: wideElements(type, count: count, bytes: bytes))
        }
    }

    /// FP32, FP64, INT32 or INT64 elements; the caller checked that `bytes` holds exactly `count` of them.
    private static func wideElements(_ type: DataType, count: Int, bytes: ArraySlice<UInt8>) -> TensorData {
        bytes.withUnsafeBytes { raw in
            func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
                T(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
            }
            switch type {
            case .fp32: return .float((0..<count).map { Float(bitPattern: load(UInt32.self, $0)) })
            case .fp64: return .double((0..<count).map { Double(bitPattern: load(UInt64.self, $0)) })
            case .int64: return .int64((0..<count).map { load(Int64.self, $0) })
            default: return .int32((0..<count).map { load(Int32.self, $0) })
            }
        }
    }

    /// BYTES elements: exactly `count` length-prefixed UTF-8 strings filling `bytes` to the end.
    private static func strings(name: String, count: Int, bytes: ArraySlice<UInt8>) throws(NightjarError) -> [String] {
        var values: [String] = []
        values.reserveCapacity(min(count, bytes.count / 4))
        var at = bytes.startIndex
        while values.count < count {
            guard bytes.endIndex - at >= 4 else {
                throw .invalidArgument("input '\(name)': BYTES element \(values.count) has no 4-byte length: the \(bytes.count) bytes of binary_data_size hold \(values.count) of the \(count) elements the shape needs")
            }
            let length = Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
            at += 4
            guard bytes.endIndex - at >= length else {
                throw .invalidArgument("input '\(name)': BYTES element \(values.count) is \(length) bytes long, but only \(bytes.endIndex - at) bytes of binary_data_size are left")
            }
            guard let value = String(validating: bytes[at..<(at + length)], as: UTF8.self) else {
                throw .invalidArgument("input '\(name)': BYTES element \(values.count) is not UTF-8 text")
            }
            values.append(value)
            at += length
        }
        guard at == bytes.endIndex else {
            throw .invalidArgument("input '\(name)': binary_data_size is \(bytes.count) bytes, but the shape's \(count) BYTES elements end after \(at - bytes.startIndex)")
        }
        return values
    }

    /// The raw form of an output.
    static func bytes(of tensor: Tensor) -> [UInt8] {
        var out: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        switch tensor.data {
        case .float(let v): out.reserveCapacity(v.count * 4); v.forEach { append($0.bitPattern) }
        case .double(let v): out.reserveCapacity(v.count * 8); v.forEach { append($0.bitPattern) }
        case .int64(let v): out.reserveCapacity(v.count * 8); v.forEach { append($0) }
        case .int32(let v): out.reserveCapacity(v.count * 4); v.forEach { append($0) }
        case .bool(let v): out = v.map { $0 ? 1 : 0 }
        case .string(let v):
            for s in v {
                // A model's string output cannot reach 4 GiB: the whole answer is held in memory.
                append(UInt32(truncatingIfNeeded: s.utf8.count))
                out.append(contentsOf: s.utf8)
            }
        }
        return out
    }
}

extension DataType {
    /// Bytes per element in the binary form; BYTES elements carry their own length.
    var binaryWidth: Int {
        switch self {
        case .bool, .int8, .uint8: 1
        case .int32, .fp32: 4
        case .int64, .fp64: 8
        case .bytes: 0
        }
    }
}
