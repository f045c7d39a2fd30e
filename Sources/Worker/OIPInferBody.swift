import Foundation
import Hummingbird
import NightjarCore
import ServiceSupport

/// An OIP inference request as the worker reads it: `InferRequest`'s JSON plus the binary tensor
/// extension, which `tritonclient[http]` uses by default. With it the body is a JSON header of
/// `Inference-Header-Content-Length` bytes followed by raw tensor bytes; an input whose elements are
/// there says so with `"parameters": {"binary_data_size": N}` instead of `data`, and takes the next N
/// bytes in the order the inputs are listed. Outputs are asked for in that form with
/// `"parameters": {"binary_data": true}`, or for all at once with the request's `binary_data_output`.
struct OIPInferBody: Decodable, Sendable {
    struct Input: Decodable, Sendable {
        var name: String
        var shape: [Int]
        var datatype: String
        var data: FlatJSONData?
        var parameters: InputParameters?
    }

    struct InputParameters: Decodable, Sendable {
        var binary_data_size: Int?
    }

    struct Output: Decodable, Sendable {
        var name: String
        var parameters: OutputParameters?
    }

    struct OutputParameters: Decodable, Sendable {
        var binary_data: Bool?
    }

    struct Parameters: Decodable, Sendable {
        /// The form of outputs that do not say; Triton's client sets it when it names no outputs.
        var binary_data_output: Bool?
    }

    var id: String?
    var inputs: [Input]
    var outputs: [Output]?
    var parameters: Parameters?

    /// The request and the bytes after its JSON header (none without `Inference-Header-Content-Length`).
    static func read(_ body: ByteBuffer, headerLength: String?) throws -> (request: OIPInferBody, binary: ArraySlice<UInt8>?) {
        guard let headerLength else {
            if let request = body.withUnsafeReadableBytes(OIPInferBodyScanner.read) { return (request, nil) }
            return (try WireJSON.decodeRequest(OIPInferBody.self, from: Data(buffer: body), describedAs: "InferRequest"), nil)
        }
        let size = body.readableBytes
        guard let length = Int(headerLength.trimmingCharacters(in: .whitespaces)), length > 0 else {
            throw NightjarError.invalidArgument("Inference-Header-Content-Length is '\(headerLength)'; it must be the byte length of the JSON header that starts the body")
        }
        guard length <= size else {
            throw NightjarError.invalidArgument("Inference-Header-Content-Length is \(length), but the body has only \(size) bytes")
        }
        let bytes = Array(body.readableBytesView)
        let scanned = bytes.withUnsafeBytes { OIPInferBodyScanner.read(UnsafeRawBufferPointer(rebasing: $0[..<length])) }
        let request = try scanned ?? WireJSON.decodeRequest(OIPInferBody.self, from: Data(bytes[..<length]), describedAs: "InferRequest")
        return (request, bytes[length...])
    }

    /// The engine tensors of the inputs, JSON or binary, by name. Every byte after the JSON header
    /// must belong to an input: a size that disagrees with its input's shape and datatype, a size
    /// past the end of the body, or bytes no input claims are refused naming the input.
    func tensors(binary: ArraySlice<UInt8>?) throws(NightjarError) -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        var at = binary?.startIndex ?? 0
        for input in inputs {
            guard tensors[input.name] == nil else {
                throw .invalidArgument("input '\(input.name)' is given more than once")
            }
            if let size = input.parameters?.binary_data_size {
                guard input.data == nil else {
                    throw .invalidArgument("input '\(input.name)' has both data and parameters.binary_data_size; send its elements one way or the other")
                }
                guard let binary else {
                    throw .invalidArgument("input '\(input.name)' has parameters.binary_data_size, but the request has no Inference-Header-Content-Length header saying where the JSON ends and its bytes begin")
                }
                guard size >= 0, size <= binary.endIndex - at else {
                    throw .invalidArgument("input '\(input.name)': binary_data_size is \(size), but \(binary.endIndex - at) bytes are left after the JSON header and the inputs before it")
                }
                tensors[input.name] = try BinaryTensorData.tensor(
                    name: input.name, datatype: input.datatype, shape: input.shape, bytes: binary[at..<(at + size)])
                at += size
            } else {
                guard let data = input.data else {
                    throw .invalidArgument("input '\(input.name)' has no data: give `data`, or parameters.binary_data_size with its bytes after the JSON header")
                }
                tensors[input.name] = try InferTensor(name: input.name, shape: input.shape, datatype: input.datatype, data: data).tensor()
            }
        }
        if let binary, at != binary.endIndex {
            throw .invalidArgument("\(binary.endIndex - at) bytes after the JSON header belong to no input: the inputs' binary_data_size add up to \(at - binary.startIndex), but Inference-Header-Content-Length leaves \(binary.count)")
        }
        return tensors
    }

    /// Whether the output `name` is answered in binary form: its own parameter, else the request's.
    func wantsBinary(_ name: String) -> Bool {
        outputs?.first { $0.name == name }?.parameters?.binary_data ?? parameters?.binary_data_output ?? false
    }
}
