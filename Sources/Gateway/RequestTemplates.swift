import AsyncHTTPClient
import NIOHTTP1
import Synchronization

/// Parsed outbound requests, one per worker URL and method, copied for each forwarded request.
///
/// Building an `HTTPClient.Request` parses its URL with Foundation, which cost as much as the rest
/// of the gateway's own work per request; a worker's URLs are few and fixed, so each is parsed once.
final class RequestTemplates: Sendable {
    private struct Key: Hashable {
        var url: String
        var method: String
    }

    /// Workers come and go (each with a new port), so the cache is dropped when it grows past this
    /// rather than tracking departures.
    private static let limit = 1024
    private let parsed = Mutex<[Key: HTTPClient.Request]>([:])

    func request(url: String, method: HTTPMethod) throws -> HTTPClient.Request {
        let key = Key(url: url, method: method.rawValue)
        if let known = parsed.withLock({ $0[key] }) { return known }
        let request = try HTTPClient.Request(url: url, method: method)
        parsed.withLock { cache in
            if cache.count >= Self.limit { cache.removeAll() }
            cache[key] = request
        }
        return request
    }
}
