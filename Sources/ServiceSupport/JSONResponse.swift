import Foundation
import Hummingbird
import NightjarCore

/// Encoders shared by every Nightjar HTTP answer, so dates and key order look the same everywhere.
public enum WireJSON {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        // A model may legitimately output NaN or infinity; JSON has no such numbers, so they travel as strings
        // rather than failing the whole answer.
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}

extension Response {
    /// A JSON answer with the given status.
    public static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let data = try WireJSON.encoder().encode(value)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The `{"error": "..."}` answer of the Open Inference Protocol: what workers and the gateway return.
    public static func error(_ message: String, status: HTTPResponse.Status) -> Response {
        let body = (try? WireJSON.encoder().encode(ErrorBody(error: message))) ?? Data(#"{"error":"unencodable error"}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The control plane's `{"error": {"code", "message", "field"}}` answer.
    public static func structuredError(_ body: StructuredErrorBody, status: HTTPResponse.Status) -> Response {
        let data = (try? WireJSON.encoder().encode(body)) ?? Data(#"{"error":{"code":"internal","message":"unencodable error"}}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Plain text, such as Prometheus exposition.
    public static func text(_ text: String, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension Request {
    /// Decodes a control-plane JSON body, turning malformed JSON into a 400 that says where the problem is.
    /// Unknown keys are refused at any depth: a misspelt field must not fall back to a default.
    public mutating func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        let buffer = try await collectBody(upTo: limit, what: "the \(T.self) body")
        return try WireJSON.decodeRequest(T.self, from: Data(buffer: buffer), refusingUnknownKeys: true)
    }
}

extension WireJSON {
    /// Decodes a request body already read, such as the JSON header of a body that carries more;
    /// `name` is the body's type as the error message names it.
    /// `refusingUnknownKeys` is for the control plane; workers keep accepting the extra fields OIP
    /// clients may send.
    public static func decodeRequest<T: Decodable>(_ type: T.Type, from data: Data, describedAs name: String = "\(T.self)",
                                                   refusingUnknownKeys: Bool = false) throws -> T {
        do {
            if refusingUnknownKeys { return try StrictJSON.decode(T.self, from: data, using: decoder()) }
            return try decoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            // "model: has the wrong type…" names the field first, so the error body's `field` points at it.
            if let field = error.fieldPath {
                throw NightjarError.invalidArgument("\(field): \(error.readableProblem) (the request body must be \(name) JSON)")
            }
            throw NightjarError.invalidArgument("request body is not valid \(name) JSON: \(error.readableDescription)")
        }
    }
}
