import Foundation
import NIOCore
import NightjarCore

/// An OIP infer answer read the way the gateway compares answers: the JSON form, or the JSON header
/// followed by the tensors of the binary tensor extension (which tritonclient asks for by default),
/// both into the JSON form's `InferResponse`.
enum OIPAnswerReader {
    private struct Header: Decodable {
        struct Output: Decodable {
            struct Parameters: Decodable {
                var binary_data_size: Int?
            }

            var name: String
            var shape: [Int]
            var datatype: String
            var data: FlatJSONData?
            var parameters: Parameters?
        }

        var model_name: String?
        var model_version: String?
        var id: String?
        var outputs: [Output]
    }

    /// Nil when the body is not an OIP answer or its binary part does not hold what its header says.
    static func read(_ body: ByteBuffer, jsonLength: Int?) -> InferResponse? {
        let jsonBytes = jsonLength.map { min(max(0, $0), body.readableBytes) } ?? body.readableBytes
        guard let header = try? JSONDecoder().decode(Header.self, from: Data(body.readableBytesView.prefix(jsonBytes))) else { return nil }
        var offset = jsonBytes
        var outputs: [InferTensor] = []
        for output in header.outputs {
            if let data = output.data {
                outputs.append(InferTensor(name: output.name, shape: output.shape, datatype: output.datatype, data: data.elements))
                continue
            }
            guard let size = output.parameters?.binary_data_size, size >= 0, size <= body.readableBytes - offset,
                  let slice = body.getSlice(at: body.readerIndex + offset, length: size),
                  let elements = BinaryTensorReader.elements(slice, datatype: output.datatype) else { return nil }
            offset += size
            outputs.append(InferTensor(name: output.name, shape: output.shape, datatype: output.datatype, data: elements))
        }
        return InferResponse(modelName: header.model_name ?? "", modelVersion: header.model_version ?? "", id: header.id, outputs: outputs)
    }

    /// A worker's answer, binary or not, by its `Inference-Header-Content-Length` header.
    static func read(_ answer: WorkerAnswer) -> InferResponse? {
        read(answer.body, jsonLength: answer.headers.first(name: "Inference-Header-Content-Length").flatMap { Int($0) })
    }
}
