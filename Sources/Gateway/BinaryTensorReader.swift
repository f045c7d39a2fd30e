import NIOCore
import NightjarCore

/// Reads the elements of a tensor sent with the Open Inference Protocol's binary tensor extension
/// (little-endian; BOOL, INT8 and UINT8 one byte each; BYTES each a 4-byte length then the bytes),
/// as the JSON form would have carried them. The gateway only reads what it routes or compares by:
/// a sticky key, a shadow's answer. Nil when the bytes do not hold what the datatype says, or for a
/// datatype it does not read (FP16, BF16).
enum BinaryTensorReader {
    static func elements(_ slice: ByteBuffer, datatype: String, limit: Int = .max) -> [JSONScalar]? {
        var bytes = slice
        var out: [JSONScalar] = []
        while bytes.readableBytes > 0, out.count < limit {
            guard let element = next(&bytes, datatype: datatype) else { return nil }
            out.append(element)
        }
        return out
    }

    private static func next(_ bytes: inout ByteBuffer, datatype: String) -> JSONScalar? {
        func int<T: FixedWidthInteger>(_: T.Type) -> JSONScalar? {
            bytes.readInteger(endianness: .little, as: T.self).map { .int(Int64(truncatingIfNeeded: $0)) }
        }
        switch datatype {
        case "BOOL": return bytes.readInteger(as: UInt8.self).map { .bool($0 != 0) }
        case "UINT8": return int(UInt8.self)
        case "INT8": return int(Int8.self)
        case "UINT16": return int(UInt16.self)
        case "INT16": return int(Int16.self)
        case "UINT32": return int(UInt32.self)
        case "INT32": return int(Int32.self)
        case "INT64": return int(Int64.self)
        case "UINT64":
            // Above Int64's range only as a double, as JSON readers would take it.
            return bytes.readInteger(endianness: .little, as: UInt64.self).map { $0 <= UInt64(Int64.max) ? .int(Int64($0)) : .double(Double($0)) }
        case "FP32": return bytes.readInteger(endianness: .little, as: UInt32.self).map { .double(Double(Float(bitPattern: $0))) }
        case "FP64": return bytes.readInteger(endianness: .little, as: UInt64.self).map { .double(Double(bitPattern: $0)) }
        case "BYTES":
            guard let length = bytes.readInteger(endianness: .little, as: UInt32.self) else { return nil }
            return bytes.readString(length: Int(length)).map { .string($0) }
        default: return nil
        }
    }
}
