import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// Runs a Hummingbird application on a host and port (0 picks a free one) and reports the bound port.
/// Owns the service group so callers stop it with `stop()` rather than by signals, which a test or the
/// demo (several servers in one process) cannot use.
public final class HTTPService: Sendable {
    private let group: ServiceGroup
    private let portStream: AsyncStream<Int>
    private let runTask: Task<Void, any Error>
    public let port: Int

    /// Starts serving and returns once the socket is bound. `frontHandlers` makes the handlers put
    /// in each connection's pipeline between NIO's HTTP/1 codec and Hummingbird's, ahead of the
    /// router (the gateway's prediction path, see `FrontedHTTP1Channel`); it is called once per
    /// connection, on the connection's event loop.
    public init(router: Router<BasicRequestContext>, frontHandlers: (@Sendable () -> [any RemovableChannelHandler])? = nil,
                host: String, port: Int, logger: Logger) async throws {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let server: HTTPServerBuilder = if let frontHandlers {
            HTTPServerBuilder { responder in FrontedHTTP1Channel(responder: responder, frontHandlers: frontHandlers) }
        } else {
            .http1()
        }
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? port)
                continuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        self.group = group
        self.portStream = stream
        let task = Task {
            // Finishing the stream when the group ends unblocks the wait below if binding failed.
            defer { continuation.finish() }
            try await group.run()
        }
        self.runTask = task
        var bound: Int?
        for await p in stream { bound = p }
        guard let bound else {
            // The application ended before it bound its socket: say where, and why (e.g. port in use).
            do {
                try await task.value
            } catch let error as IOError {
                throw HTTPServiceError.didNotStart(host: host, port: port, reason: String(cString: strerror(error.errnoCode)))
            }
            throw HTTPServiceError.didNotStart(host: host, port: port, reason: nil)
        }
        self.port = bound
    }

    /// Waits until the service stops.
    public func wait() async throws {
        try await runTask.value
    }

    /// Stops accepting, lets in-flight requests finish, and returns when done.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await runTask.value
    }
}

public enum HTTPServiceError: Error, CustomStringConvertible {
    /// `reason` is the system's, e.g. "Address already in use".
    case didNotStart(host: String, port: Int, reason: String?)

    public var description: String {
        switch self {
        case .didNotStart(let host, let port, let reason?): "could not listen on \(host):\(port): \(reason)"
        case .didNotStart(let host, let port, nil): "could not listen on \(host):\(port) (is the port in use?)"
        }
    }
}
