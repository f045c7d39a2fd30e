import HTTPTypes
import NIOHTTP1

/// Which headers cross the gateway. Hop-by-hop headers describe one connection, not the message,
/// so they stop here (RFC 9110 §7.6.1); the length is the framing of whichever side writes the body.
enum ForwardedHeaders {
    /// Lowercase, as HTTP/2 and HTTPTypes' canonical names are.
    static let hopByHop: [String] = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
    ]

    /// The client's headers as sent on to a worker, from a prediction as NIO's HTTP/1 codec read it,
    /// with room for the `Host` and `Content-Length` the worker connection adds.
    static func toWorker(_ headers: HTTPHeaders) -> HTTPHeaders {
        // Collected as pairs, then wrapped once: `HTTPHeaders.add` checks each name for ASCII and for
        // `connection` again, which NIO's parser (where these came from) has already done.
        var forwarded: [(String, String)] = []
        forwarded.reserveCapacity(headers.count + 2)
        for (name, value) in headers where !isHopByHop(name) {
            forwarded.append((name, value))
        }
        return HTTPHeaders(forwarded)
    }

    /// The client's headers as sent on to a worker, from a request Hummingbird's router took.
    static func toWorker(_ fields: HTTPFields) -> HTTPHeaders {
        var forwarded = HTTPHeaders()
        forwarded.reserveCapacity(fields.count)
        for field in fields where !isHopByHop(field.name.canonicalName) {
            forwarded.add(name: field.name.rawName, value: field.value)
        }
        return forwarded
    }

    /// The worker's headers as returned to the client (`Nightjar-Model-Version` among them).
    /// `date` and `server` are left to the gateway, which writes its own. The fields came through
    /// NIO's HTTP/1 parser, which admits no line breaks in names or values, so they are relayed as read.
    /// There is room for the `Content-Length`, `Date` and `Connection` the gateway adds.
    static func toClient(_ headers: HTTPHeaders) -> HTTPHeaders {
        var relayed: [(String, String)] = []
        relayed.reserveCapacity(headers.count + 3)
        for (name, value) in headers where !isHopByHop(name) && !equalsIgnoringCase(name, "date") && !equalsIgnoringCase(name, "server") {
            relayed.append((name, value))
        }
        return HTTPHeaders(relayed)
    }

    /// Compares without lowercasing a copy of each name, which allocates for names longer than 15
    /// bytes (`nightjar-model-version`, `inference-header-content-length`) on every request.
    static func isHopByHop(_ name: String) -> Bool {
        hopByHop.contains { equalsIgnoringCase(name, $0) }
    }

    /// ASCII case-insensitive equality with a lowercase name.
    static func equalsIgnoringCase(_ name: String, _ lowercase: String) -> Bool {
        guard name.utf8.count == lowercase.utf8.count else { return false }
        return zip(name.utf8, lowercase.utf8).allSatisfy { a, b in
            a == b || (a >= UInt8(ascii: "A") && a <= UInt8(ascii: "Z") && a | 0x20 == b)
        }
    }
}
