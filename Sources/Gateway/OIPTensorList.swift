import Foundation
import NIOCore
import NightjarCore

/// The tensors of an Open Inference Protocol body as the gateway reads them: a request's `inputs`
/// (for a sticky key) or an answer's `outputs` (for the shadow comparison). Each tensor's elements
/// come from its JSON `data` or, with the binary tensor extension, from the bytes after the JSON
/// header (`jsonLength` bytes long), in the order of the tensors that declare `binary_data_size`.
struct OIPTensorList {
    enum Field { case inputs, outputs }

    private struct Body: Decodable {
        struct Tensor: Decodable {
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
        var inputs: [Tensor]?
        var outputs: [Tensor]?
    }

    var modelName: String
    var modelVersion: String
    var id: String?
    /// The tensors read, in the body's order.
    var tensors: [InferTensor]

    /// Nil when the body is not OIP JSON, or a read tensor's binary bytes are not all there.
    /// Only tensors `wanted` names are read, each up to `limit` elements; the others are skipped
    /// over (their binary bytes still count towards where the next tensor's start).
    static func read(_ body: ByteBuffer, jsonLength: Int?, field: Field,
                     wanted: (String) -> Bool = { _ in true }, limit: Int = .max) -> OIPTensorList? {
        let jsonBytes = jsonLength.map { min(max(0, $0), body.readableBytes) } ?? body.readableBytes
        guard let header = try? JSONDecoder().decode(Body.self, from: Data(body.readableBytesView.prefix(jsonBytes))),
              let declared = field == .inputs ? header.inputs : header.outputs else { return nil }
        var offset = jsonBytes
        var tensors: [InferTensor] = []
        for tensor in declared {
            let size = tensor.parameters?.binary_data_size
            defer { offset += size ?? 0 }
            guard wanted(tensor.name) else { continue }
            if let data = tensor.data {
                tensors.append(InferTensor(name: tensor.name, shape: tensor.shape, datatype: tensor.datatype,
                                           data: Array(data.elements.prefix(limit))))
                continue
            }
            guard let size, size >= 0, size <= body.readableBytes - offset,
                  let slice = body.getSlice(at: body.readerIndex + offset, length: size),
                  let elements = BinaryTensorReader.elements(slice, datatype: tensor.datatype, limit: limit) else { return nil }
            tensors.append(InferTensor(name: tensor.name, shape: tensor.shape, datatype: tensor.datatype, data: elements))
        }
        return OIPTensorList(modelName: header.model_name ?? "", modelVersion: header.model_version ?? "", id: header.id, tensors: tensors)
    }

    /// A worker's infer answer, binary or not (by its `Inference-Header-Content-Length`), as the
    /// JSON form's `InferResponse`.
    static func answer(_ answer: WorkerAnswer) -> InferResponse? {
        let length = answer.headers.first(name: "Inference-Header-Content-Length").flatMap { Int($0) }
        return read(answer.body, jsonLength: length, field: .outputs).map {
            InferResponse(modelName: $0.modelName, modelVersion: $0.modelVersion, id: $0.id, outputs: $0.tensors)
        }
    }
}
