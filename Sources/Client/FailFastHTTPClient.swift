import AsyncHTTPClient

extension HTTPClient {
    /// For commands typed at a prompt: a refused connection fails at once, where the shared client
    /// retries it until its 10 s connect timeout and the operator waits in silence for "connection
    /// refused". One attempt per request is enough when a person is there to run it again.
    static let failingFast: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}

extension ServerClient {
    /// A client for the command line: as `init`, on a connection that is tried once (`HTTPClient.failingFast`).
    public static func commandLine(baseURL: String, timeoutSeconds: Int64 = 10, actor: String? = nil,
                                   token: String? = nil) -> ServerClient {
        ServerClient(baseURL: baseURL, http: .failingFast, timeoutSeconds: timeoutSeconds, actor: actor, token: token)
    }
}
