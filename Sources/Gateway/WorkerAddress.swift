/// Where a worker listens, read from its base URL (`http://127.0.0.1:9001`) once per event loop.
struct WorkerAddress: Equatable {
    var host: String
    var port: Int
    /// The `Host` header the worker is sent.
    var authority: String

    /// Nil when `url` is not `http://host:port` (with an optional trailing slash): workers announce
    /// plain HTTP addresses, and anything else is an error the caller names.
    init?(url: String) {
        guard url.hasPrefix("http://") else { return nil }
        var authority = url.dropFirst("http://".count)
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        guard !authority.contains("/"), let colon = authority.lastIndex(of: ":"),
              let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        var host = authority[..<colon]
        // An IPv6 literal is written in brackets in a URL, without them in a socket address.
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { return nil }
        self.host = String(host)
        self.port = port
        self.authority = String(authority)
    }
}
