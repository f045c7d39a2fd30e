import NIOCore
import NIOHTTP1
import NIOPosix

/// The floor the gateway is measured against besides the direct path: the least an HTTP-aware
/// relay can do on SwiftNIO. NIO's HTTP/1 codecs on both sides, one worker connection per client
/// connection opened as the client connects, request and answer parts passed through as they
/// arrive: no routing, no header filtering, no stats, no retries, no deadline. Whatever the gateway
/// costs above this is its own work; what this costs above direct is parsing and a second hop.
enum BareRelay {
    /// Listens on a free loopback port, relaying to `workerPort`; returns the port.
    static func start(workerPort: Int, group: any EventLoopGroup) async throws -> Int {
        let worker = try SocketAddress(ipAddress: "127.0.0.1", port: workerPort)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // Nothing is read from the client before its worker connection is up.
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { client in
                let toClient = ClientSide()
                let toWorker = WorkerSide(host: "127.0.0.1:\(workerPort)")
                toClient.partner = toWorker
                toWorker.partner = toClient
                return ClientBootstrap(group: client.eventLoop)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { workerChannel in
                        workerChannel.eventLoop.makeCompletedFuture {
                            try workerChannel.pipeline.syncOperations.addHTTPClientHandlers()
                            try workerChannel.pipeline.syncOperations.addHandler(toWorker)
                        }
                    }
                    .connect(to: worker)
                    .flatMap { _ in
                        client.eventLoop.makeCompletedFuture {
                            try client.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: false)
                            try client.pipeline.syncOperations.addHandler(toClient)
                        }
                    }
                    .flatMap { client.setOption(.autoRead, value: true) }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return channel.localAddress?.port ?? 0
    }

    /// The client's connection: request parts go to the worker connection.
    final class ClientSide: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        var partner: WorkerSide?
        var context: ChannelHandlerContext?

        func handlerAdded(context: ChannelHandlerContext) { self.context = context }
        func handlerRemoved(context: ChannelHandlerContext) { self.context = nil; partner = nil }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            partner?.relay(unwrapInboundIn(data))
        }

        func relay(_ part: HTTPClientResponsePart) {
            guard let context else { return }
            switch part {
            case .head(let head): context.write(wrapOutboundOut(.head(head)), promise: nil)
            case .body(let body): context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            case .end: context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            partner?.context?.close(promise: nil)
            context.fireChannelInactive()
        }
    }

    /// The worker connection: answer parts go back to the client's connection.
    final class WorkerSide: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundOut = HTTPClientRequestPart
        let host: String
        var partner: ClientSide?
        var context: ChannelHandlerContext?

        init(host: String) { self.host = host }

        func handlerAdded(context: ChannelHandlerContext) { self.context = context }
        func handlerRemoved(context: ChannelHandlerContext) { self.context = nil; partner = nil }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            partner?.relay(unwrapInboundIn(data))
        }

        func relay(_ part: HTTPServerRequestPart) {
            guard let context else { return }
            switch part {
            case .head(var head):
                head.headers.replaceOrAdd(name: "host", value: host)
                context.write(wrapOutboundOut(.head(head)), promise: nil)
            case .body(let body): context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            case .end: context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            partner?.context?.close(promise: nil)
            context.fireChannelInactive()
        }
    }
}
