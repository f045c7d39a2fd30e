import Foundation
import NightjarCore
import ONNXProto

/// Typed access to a node's attributes, with errors that name the node and attribute.
struct NodeAttributes {
    let node: Onnx_NodeProto
    private let byName: [String: Onnx_AttributeProto]

    init(_ node: Onnx_NodeProto) {
        self.node = node
        byName = Dictionary(node.attribute.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    var nodeDescription: String { "\(node.opType) node '\(node.name)'" }

    func has(_ name: String) -> Bool { byName[name] != nil }

    func int(_ name: String, default value: Int? = nil) throws(NightjarError) -> Int {
        if let a = byName[name] { return Int(a.i) }
        if let value { return value }
        throw missing(name)
    }

    func float(_ name: String, default value: Float? = nil) throws(NightjarError) -> Float {
        if let a = byName[name] { return a.f }
        if let value { return value }
        throw missing(name)
    }

    func string(_ name: String, default value: String? = nil) throws(NightjarError) -> String {
        if let a = byName[name] { return String(decoding: a.s, as: UTF8.self) }
        if let value { return value }
        throw missing(name)
    }

    func floats(_ name: String) -> [Float] { byName[name]?.floats ?? [] }
    func ints(_ name: String) -> [Int64] { byName[name]?.ints ?? [] }
    func strings(_ name: String) -> [String] { (byName[name]?.strings ?? []).map { String(decoding: $0, as: UTF8.self) } }

    /// A tensor attribute decoded, or nil when the node lacks it.
    func tensor(_ name: String) throws(NightjarError) -> Tensor? {
        guard let a = byName[name], a.hasT else { return nil }
        do {
            return try Tensor(proto: a.t)
        } catch {
            throw invalid(name, "cannot be read: \(error)")
        }
    }

    /// The element type code of a tensor attribute, if the node has it.
    func tensorType(_ name: String) -> Int32? {
        guard let a = byName[name], a.hasT else { return nil }
        return a.t.dataType
    }

    /// A numeric tensor attribute's elements as doubles (float, double, integer and uint8 tensors,
    /// such as TreeEnsemble's `nodes_modes`); an absent attribute is an error.
    func tensorNumbers(_ name: String) throws(NightjarError) -> [Double] {
        guard let a = byName[name], a.hasT else { throw missing(name) }
        let proto = a.t
        if proto.dataType == 2 {  // uint8: raw bytes, or one int32 per element
            let count = proto.dims.reduce(1) { $0 * Int(clamping: $1) }
            let values = proto.rawData.isEmpty ? proto.int32Data.map { Double($0) } : proto.rawData.map { Double($0) }
            guard values.count == count else {
                throw invalid(name, "has \(values.count) elements, expected \(count) for shape \(proto.dims)")
            }
            return values
        }
        let tensor: Tensor
        do {
            tensor = try Tensor(proto: proto)
        } catch {
            throw invalid(name, "cannot be read: \(error)")
        }
        switch tensor.data {
        case .float(let v): return v.map { Double($0) }
        case .double(let v): return v
        case .int64(let v): return v.map { Double($0) }
        case .int32(let v): return v.map { Double($0) }
        case .bool, .string: throw invalid(name, "must be a numeric tensor, got \(tensor.dataType.rawValue)")
        }
    }

    func missing(_ name: String) -> NightjarError {
        .invalidArgument("\(nodeDescription) lacks the required attribute '\(name)'")
    }

    func invalid(_ name: String, _ why: String) -> NightjarError {
        .unsupported("\(nodeDescription): attribute '\(name)' \(why)")
    }
}
