import Foundation
import Hummingbird
import NightjarCore
import ServiceSupport

/// An OIP inference answer: `InferResponse`'s JSON, with the outputs asked for in binary form
/// written after it as raw bytes (`"parameters": {"binary_data_size": N}` in place of `data`, in the
/// order of `outputs`) and the JSON's length in `Inference-Header-Content-Length`. An answer with
/// no binary output is plain JSON, byte for byte what it was before the extension.
struct OIPInferAnswer: Encodable, Sendable {
    struct Output: Encodable, Sendable {
        struct Parameters: Encodable, Sendable {
            var binary_data_size: Int
        }
        var name: String
        var shape: [Int]
        var datatype: String
        var data: FlatJSONData?
        var parameters: Parameters?
    }

    var model_name: String
    var model_version: String
    var id: String?
    var outputs: [Output]

    /// The answer for `tensors`, in their order; those flagged `binary` go after the JSON.
    static func response(model: ModelRef, id: String?, outputs tensors: [(name: String, tensor: Tensor, binary: Bool)]) throws -> Response {
        var raw: [UInt8] = []
        var outputs: [Output] = []
        outputs.reserveCapacity(tensors.count)
        for (name, tensor, binary) in tensors {
            if binary {
                let bytes = BinaryTensorData.bytes(of: tensor)
                raw.append(contentsOf: bytes)
                outputs.append(Output(name: name, shape: tensor.shape, datatype: tensor.dataType.rawValue,
                                      parameters: .init(binary_data_size: bytes.count)))
            } else {
                let json = InferTensor(name: name, tensor: tensor)
                outputs.append(Output(name: name, shape: json.shape, datatype: json.datatype, data: json.data))
            }
        }
        let answer = OIPInferAnswer(model_name: model.name, model_version: model.version.description, id: id, outputs: outputs)
        let header = try OIPInferAnswerWriter.bytes(of: answer) ?? Array(WireJSON.encoder().encode(answer))
        guard tensors.contains(where: \.binary) else {
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: header)))
        }
        var body = ByteBuffer()
        body.reserveCapacity(header.count + raw.count)
        body.writeBytes(header)
        body.writeBytes(raw)
        return Response(status: .ok,
                        headers: [.contentType: "application/octet-stream", .inferenceHeaderContentLength: String(header.count)],
                        body: .init(byteBuffer: body))
    }
}
