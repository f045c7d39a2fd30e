import AsyncHTTPClient
import NIOCore

extension TrafficRouter {
    /// A process-wide client configured for forwarding, never shut down (like `HTTPClient.shared`).
    ///
    /// `HTTPClient.shared` suits a browser-like caller, not a proxy: it follows redirects, inflates
    /// compressed bodies, waits 90 s to connect, keeps at most 8 connections per worker, and — worst
    /// for a gateway — retries connecting to a dead worker until the request's deadline instead of
    /// failing it, which would stall the request rather than let it be retried on another worker.
    public static let sharedHTTPClient: HTTPClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: forwardingConfiguration())

    /// The configuration of `sharedHTTPClient`, for a caller that wants its own client (and will shut it down).
    public static func forwardingConfiguration(connectTimeout: Duration = .seconds(1),
                                               connectionsPerWorker: Int = 64) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(connectTimeout), read: nil),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerWorker),
            proxy: nil,
            ignoreUncleanSSLShutdown: false,
            decompression: .disabled)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        return configuration
    }
}
