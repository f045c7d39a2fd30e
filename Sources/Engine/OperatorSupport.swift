import Foundation
import NightjarCore
import ONNXProto

/// One operator the engine runs, for documentation and conformance reports.
public struct OperatorSupport: Sendable, Equatable {
    public var domain: String
    public var opType: String
    public var opsets: ClosedRange<Int>
}

extension InferenceSession {
    /// Every (domain, operator) the engine runs with its opset range, adjacent ranges merged,
    /// sorted by domain and name.
    public static var supportedOperators: [OperatorSupport] {
        var merged: [String: OperatorSupport] = [:]
        for e in OperatorTable.all {
            let key = e.domain + "\u{0}" + e.opType
            if let m = merged[key] {
                merged[key]?.opsets = min(m.opsets.lowerBound, e.opsets.lowerBound)...max(m.opsets.upperBound, e.opsets.upperBound)
            } else {
                merged[key] = OperatorSupport(domain: e.domain, opType: e.opType, opsets: e.opsets)
            }
        }
        return merged.values.sorted { ($0.domain, $0.opType) < ($1.domain, $1.opType) }
    }
}

extension Tensor {
    /// Decodes a serialized ONNX `TensorProto`, such as the `input_0.pb` files of the ONNX backend
    /// tests. Element types the engine does not carry are refused.
    public init(onnxTensorProto data: Data) throws(NightjarError) {
        let proto: Onnx_TensorProto
        do {
            proto = try Onnx_TensorProto(serializedBytes: data)
        } catch {
            throw .invalidArgument("not an ONNX TensorProto (\(error))")
        }
        try self.init(proto: proto)
    }
}
