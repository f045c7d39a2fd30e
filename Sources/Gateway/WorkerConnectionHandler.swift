import NIOCore
import NIOHTTP1

/// One keep-alive HTTP/1.1 connection to a worker, on the prediction path: writes a request,
/// collects the whole answer (up to the gateway's limit) and hands the connection back to its pool
/// when the worker keeps it open. One request at a time; the pool never gives it a second one
/// before the first is answered.
final class WorkerConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let worker: String
    let address: WorkerAddress
    private let maxResponseBytes: Int
    weak var pool: WorkerConnectionPool?
    private var context: ChannelHandlerContext?
    private var exchange: WorkerExchange?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    private var closed = false

    init(worker: String, address: WorkerAddress, maxResponseBytes: Int) {
        self.worker = worker
        self.address = address
        self.maxResponseBytes = maxResponseBytes
    }

    var isUsable: Bool { !closed && context?.channel.isActive == true }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func send(_ request: WorkerRequest, for exchange: WorkerExchange) {
        guard let context, !closed else {
            exchange.connectionFailed("the connection to the worker was closed", answerStarted: false)
            return
        }
        self.exchange = exchange
        exchange.connection = self
        head = nil
        body = nil
        // The request's headers carry no framing of their own (`ForwardedHeaders.toWorker`). Built
        // afresh with room for it: the request keeps its own for a retry, so adding to a copy
        // would copy them once and grow them again.
        var headers = HTTPHeaders()
        headers.reserveCapacity(request.headers.count + 2)
        headers.add(contentsOf: request.headers)
        headers.add(name: "host", value: address.authority)
        if let payload = request.body {
            headers.add(name: "content-length", value: String(payload.readableBytes))
        } else if request.method == .POST {
            headers.add(name: "content-length", value: "0")
        }
        let requestHead = HTTPRequestHead(version: .http1_1, method: request.method, uri: request.path, headers: headers)
        context.write(wrapOutboundOut(.head(requestHead)), promise: nil)
        if let payload = request.body, payload.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(payload))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let exchange else { return }
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            head = responseHead
        case .body(var part):
            let received = (body?.readableBytes ?? 0) + part.readableBytes
            guard received <= maxResponseBytes else {
                self.exchange = nil
                exchange.complete(.failure(.answerTooLarge(worker: worker, limit: maxResponseBytes)))
                abandon()
                return
            }
            if body == nil { body = part } else { body!.writeBuffer(&part) }
        case .end:
            guard let responseHead = head else { return }
            self.exchange = nil
            let answer = WorkerAnswer(worker: worker, status: Int(responseHead.status.code), headers: responseHead.headers,
                                      body: body ?? ByteBuffer())
            head = nil
            body = nil
            if responseHead.isKeepAlive {
                pool?.keep(self)
            } else {
                abandon()
            }
            exchange.complete(.success(answer))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        pool?.forget(self)
        if let exchange {
            self.exchange = nil
            exchange.connectionFailed("the worker closed the connection before answering", answerStarted: head != nil)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let exchange {
            self.exchange = nil
            exchange.connectionFailed("\(error)", answerStarted: head != nil)
        }
        abandon()
    }

    /// Closes the connection without telling the exchange it carried (whoever calls this already has).
    func abandon() {
        exchange = nil
        guard !closed else { return }
        closed = true
        pool?.forget(self)
        context?.close(promise: nil)
    }
}
