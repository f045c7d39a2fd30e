import Hummingbird
import NIOCore

/// A request body over the limit of the route that read it: a 413 whose message names that limit
/// and what the body was for. (NIO's own error carries only what was left of the budget when the
/// chunk that overflowed it arrived, not the limit, so it cannot be reported as one.)
public struct RequestBodyTooLarge: Error, Sendable {
    public var what: String
    public var limit: Int

    public var message: String { "\(what) is larger than this endpoint accepts (\(limit) bytes)" }
}

extension Request {
    /// Collects the body, or throws `RequestBodyTooLarge` naming `what` and `limit`.
    public mutating func collectBody(upTo limit: Int, what: String) async throws -> ByteBuffer {
        do {
            return try await collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw RequestBodyTooLarge(what: what, limit: limit)
        }
    }
}
