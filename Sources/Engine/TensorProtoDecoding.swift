import Foundation
import NightjarCore
import ONNXProto

/// ONNX element types the engine carries, by their `TensorProto.DataType` number.
enum ElementType {
    static func dataType(onnx code: Int32) -> DataType? {
        switch code {
        case 1: .fp32
        case 11: .fp64
        case 7: .int64
        case 6: .int32
        case 9: .bool
        case 8: .bytes
        default: nil
        }
    }

    static func name(onnx code: Int32) -> String {
        let names: [Int32: String] = [
            1: "float", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 8: "string",
            9: "bool", 10: "float16", 11: "double", 12: "uint32", 13: "uint64", 16: "bfloat16",
        ]
        return names[code] ?? "type \(code)"
    }
}

extension Tensor {
    /// Decodes an initializer or a test-data TensorProto.
    init(proto: Onnx_TensorProto) throws(NightjarError) {
        let shape = proto.dims.map { Int($0) }
        let name = proto.name.isEmpty ? "tensor" : "'\(proto.name)'"
        // Dimensions come from the file, so a negative or overflowing product is an error, not a trap.
        let count = try Shapes.count(shape, op: "tensor \(name)")
        guard proto.dataLocation != .external else {
            throw .unsupported("\(name) stores its data in an external file, which the engine does not read")
        }
        func raw<T>(_ type: T.Type) throws(NightjarError) -> [T] {
            let size = MemoryLayout<T>.size
            guard proto.rawData.count == count * size else {
                throw .corrupt("\(name) has \(proto.rawData.count) bytes of raw data, expected \(count * size) for shape \(shape)")
            }
            return proto.rawData.withUnsafeBytes { buffer in
                (0..<count).map { buffer.loadUnaligned(fromByteOffset: $0 * size, as: T.self) }
            }
        }
        let hasRaw = !proto.rawData.isEmpty
        let data: TensorData
        switch proto.dataType {
        case 1: data = .float(hasRaw ? try raw(Float.self) : proto.floatData)
        case 11: data = .double(hasRaw ? try raw(Double.self) : proto.doubleData)
        case 7: data = .int64(hasRaw ? try raw(Int64.self) : proto.int64Data)
        case 6: data = .int32(hasRaw ? try raw(Int32.self) : proto.int32Data)
        case 9: data = .bool(hasRaw ? try raw(UInt8.self).map { $0 != 0 } : proto.int32Data.map { $0 != 0 })
        case 8: data = .string(proto.stringData.map { String(decoding: $0, as: UTF8.self) })
        default:
            throw .unsupported("\(name) has element type \(ElementType.name(onnx: proto.dataType)), which the engine does not support")
        }
        guard data.count == count else {
            throw .corrupt("\(name) has \(data.count) elements, expected \(count) for shape \(shape)")
        }
        self.init(shape: shape, data: data)
    }
}
