import Foundation

/// The errors an operator can see. Each message says what was wrong, where, and what to do.
public enum NightjarError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The caller's input is malformed (HTTP 400).
    case invalidArgument(String)
    /// The named thing does not exist (HTTP 404).
    case notFound(String)
    /// The request conflicts with stored state, such as pushing a version again with other bytes (HTTP 409).
    case conflict(String)
    /// A stored file or remote answer is not what it should be (HTTP 500 on the server side, never for bad input).
    case corrupt(String)
    /// Something this build does not do yet (HTTP 400 when it is the caller's model).
    case unsupported(String)
    /// A remote call failed.
    case unavailable(String)
    /// No credentials, or credentials the server does not know (HTTP 401).
    case unauthorized(String)
    /// Known credentials whose role may not do this (HTTP 403).
    case forbidden(String)

    public var description: String {
        switch self {
        case .invalidArgument(let m), .notFound(let m), .conflict(let m), .corrupt(let m),
             .unsupported(let m), .unavailable(let m), .unauthorized(let m), .forbidden(let m):
            return m
        }
    }

    public var httpStatus: Int {
        switch self {
        case .invalidArgument, .unsupported: return 400
        case .notFound: return 404
        case .conflict: return 409
        case .corrupt: return 500
        case .unavailable: return 503
        case .unauthorized: return 401
        case .forbidden: return 403
        }
    }
}

extension NightjarError {
    /// The machine-readable name of the kind, as the control plane's error bodies carry it.
    public var code: String {
        switch self {
        case .invalidArgument: "invalid_argument"
        case .notFound: "not_found"
        case .conflict: "conflict"
        case .corrupt: "corrupt"
        case .unsupported: "unsupported"
        case .unavailable: "unavailable"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        }
    }

    /// The request field a message is about. Messages about one field of a request begin with its
    /// name and a colon ("weights: 1.0.0 90% add up to 90%, not 100%"); the name is read from there.
    public var field: String? { Self.field(of: description) }

    static func field(of message: String) -> String? {
        guard let colon = message.range(of: ": ") else { return nil }
        let name = message[..<colon.lowerBound]
        guard let first = name.first, first.isLowercase, first.isASCII,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.[]".contains($0)) }) else { return nil }
        return String(name)
    }
}

/// The JSON body of a worker's and the gateway's error answers, as the Open Inference Protocol
/// defines it: `{"error": "..."}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public var error: String
    public init(error: String) { self.error = error }
}

/// The JSON body of the control plane's error answers: `{"error": {"code", "message", "field"}}`,
/// so scripts can branch on `code` and point at `field` without parsing English.
public struct StructuredErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        /// The request field at fault; absent when the error is not about one field.
        public var field: String?

        public init(code: String, message: String, field: String? = nil) {
            self.code = code
            self.message = message
            self.field = field
        }
    }

    public var error: Detail

    public init(error: Detail) { self.error = error }

    public init(_ error: NightjarError) {
        self.error = Detail(code: error.code, message: error.description, field: error.field)
    }

    /// The message of either error body, structured or plain: what a client shows its user.
    public static func message(in data: Data, decoder: JSONDecoder = JSONDecoder()) -> String? {
        if let structured = try? decoder.decode(StructuredErrorBody.self, from: data) { return structured.error.message }
        return (try? decoder.decode(ErrorBody.self, from: data))?.error
    }
}
