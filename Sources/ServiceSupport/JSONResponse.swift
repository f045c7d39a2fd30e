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
    /// Decodes a JSON body, turning malformed JSON into a 400 that says where the problem is.
    public mutating func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        let buffer = try await collectBody(upTo: limit, what: "the \(T.self) body")
        return try WireJSON.decodeRequest(T.self, from: Data(buffer: buffer))
    }
}

extension WireJSON {
    /// Decodes a request body already read, such as the JSON header of a body that carries more;
    /// `name` is the body's type as the error message names it.
    public static func decodeRequest<T: Decodable>(_ type: T.Type, from data: Data, describedAs name: String = "\(T.self)") throws -> T {
        do {
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

extension DecodingError {
    /// The dotted path of the field at fault ("inputs[0].datatype"), nil at the top level.
    public var fieldPath: String? {
        let codingPath: [any CodingKey]
        switch self {
        case .keyNotFound(let key, let context): codingPath = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): codingPath = context.codingPath
        @unknown default: return nil
        }
        let path = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
        let trimmed = path.hasPrefix(".") ? String(path.dropFirst()) : path
        return trimmed.isEmpty ? nil : trimmed
    }

    /// What is wrong with the field, without its path: "is missing", "has the wrong type (expected a number)".
    public var readableProblem: String {
        switch self {
        case .keyNotFound: return "is missing"
        case .typeMismatch(let type, _): return "has the wrong type (expected \(Self.plainTypeName(type)))"
        case .valueNotFound(let type, _): return "is null (expected \(Self.plainTypeName(type)))"
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        @unknown default: return "\(self)"
        }
    }

    /// "an object" rather than Foundation's "Dictionary<String, Any>".
    static func plainTypeName(_ type: Any.Type) -> String {
        let name = "\(type)"
        if name.hasPrefix("Dictionary") { return "an object" }
        if name.hasPrefix("Array") { return "an array" }
        if name == "String" { return "a string" }
        if ["Int", "Int32", "Int64", "Double", "Float"].contains(name) { return "a number" }
        if name == "Bool" { return "true or false" }
        return name
    }

    /// "at inputs[0].datatype: missing" instead of Foundation's nested debug dump.
    public var readableDescription: String {
        func path(_ context: Context) -> String {
            let p = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            let trimmed = p.hasPrefix(".") ? String(p.dropFirst()) : p
            return trimmed.isEmpty ? "the top level" : trimmed
        }
        switch self {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(parent)")
        case .typeMismatch(let type, let context):
            return "\(path(context)) has the wrong type (expected \(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context)) is null (expected \(type))"
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return "\(path(context)): \(underlying ?? context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }
}
