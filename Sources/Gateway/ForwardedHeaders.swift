import HTTPTypes
import NIOHTTP1

/// Which headers cross the gateway. Hop-by-hop headers describe one connection, not the message,
/// so they stop here (RFC 9110 §7.6.1); the length is the framing of whichever side writes the body.
enum ForwardedHeaders {
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
    ]

    /// The client's headers as sent on to a worker.
    static func toWorker(_ fields: HTTPFields) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.reserveCapacity(fields.count)
        for field in fields where !hopByHop.contains(field.name.canonicalName) {
            headers.add(name: field.name.rawName, value: field.value)
        }
        return headers
    }

    /// The worker's headers as returned to the client (`Nightjar-Model-Version` among them).
    /// `date` and `server` are left to the gateway's own server, which writes its own.
    static func toClient(_ headers: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers {
            let lowered = name.lowercased()
            guard !hopByHop.contains(lowered), lowered != "date", lowered != "server",
                  let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }
}
