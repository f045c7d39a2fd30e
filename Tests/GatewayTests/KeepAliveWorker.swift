import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A worker on SwiftNIO alone that keeps connections alive and counts them. With
/// `closesReusedConnections` it answers only the first request on each connection and closes the
/// connection without answering when a second arrives: the race of a worker closing an idle
/// keep-alive connection just as the gateway reuses it, made certain.
final class KeepAliveWorker: Sendable {
    let channel: any Channel
    let version: String
    private let counts: Counts

    var baseURL: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)" }
    var answered: Int { counts.answered.withLock { $0 } }
    var closedUnanswered: Int { counts.closed.withLock { $0 } }
    /// Connections from the gateway open now.
    var openConnections: Int { counts.open.withLock { $0 } }

    final class Counts: Sendable {
        let answered = Mutex(0)
        let closed = Mutex(0)
        let open = Mutex(0)
    }

    private init(channel: any Channel, version: String, counts: Counts) {
        self.channel = channel
        self.version = version
        self.counts = counts
    }

    static func start(version: String, closesReusedConnections: Bool) async throws -> KeepAliveWorker {
        let counts = Counts()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(AnswerHandler(version: version, counts: counts, closesReused: closesReusedConnections))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return KeepAliveWorker(channel: channel, version: version, counts: counts)
    }

    func stop() async {
        try? await channel.close()
    }

    private final class AnswerHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let version: String
        let counts: Counts
        let closesReused: Bool
        var requests = 0

        init(version: String, counts: Counts, closesReused: Bool) {
            self.version = version
            self.counts = counts
            self.closesReused = closesReused
        }

        func channelActive(context: ChannelHandlerContext) {
            counts.open.withLock { $0 += 1 }
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            counts.open.withLock { $0 -= 1 }
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head:
                requests += 1
                if closesReused, requests > 1 {
                    counts.closed.withLock { $0 += 1 }
                    context.close(promise: nil)
                }
            case .body:
                break
            case .end:
                guard !closesReused || requests == 1 else { return }
                counts.answered.withLock { $0 += 1 }
                let body = #"{"model_name":"fraud","model_version":"\#(version)","outputs":[]}"#
                let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: [
                    "content-type": "application/json", "content-length": String(body.utf8.count), "nightjar-model-version": version,
                ])
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
