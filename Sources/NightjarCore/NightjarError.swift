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

/// The JSON body of every error answer: `{"error": "..."}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public var error: String
    public init(error: String) { self.error = error }
}
