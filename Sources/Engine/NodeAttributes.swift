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

    func missing(_ name: String) -> NightjarError {
        .invalidArgument("\(nodeDescription) lacks the required attribute '\(name)'")
    }

    func invalid(_ name: String, _ why: String) -> NightjarError {
        .unsupported("\(nodeDescription): attribute '\(name)' \(why)")
    }
}
