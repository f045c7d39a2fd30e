import NIOCore
import NIOHTTP1
import NightjarCore

/// Answers predictions on the event loop of the client's connection, before Hummingbird sees them:
/// it reads the request, decides with `TrafficRouter.decide`, forwards through the loop's worker
/// connections (`LoopForward`) and writes the answer, with no task and no thread hop in between.
/// Every other request passes through untouched to Hummingbird's router.
///
/// It sits between NIO's HTTP/1 codec and Hummingbird's (`FrontedHTTP1Channel`), so it sees
/// `HTTPServerRequestPart`s and writes `HTTPServerResponsePart`s: a prediction and its answer are
/// never converted to HTTPTypes and back, and the worker's header fields are relayed as they came
/// (less the hop-by-hop ones). Answers leave in the order requests arrived: while a request is being
/// answered (here or by Hummingbird), what the client sends next — pipelined requests, the end of
/// its input, a shutdown notice — waits in a queue, and reading pauses while requests wait.
final class DataPlaneChannelHandler: ChannelDuplexHandler, RemovableChannelHandler, LoopForwardOwner {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What the client's side of the pipeline reported besides request parts.
    private enum Notice {
        case event(Any)
        case error(any Error)
    }

    private enum State {
        case idle
        /// A request Hummingbird answers; done when both its end has gone up and its answer's end has come down.
        case passingThrough(requestEnded: Bool, responseEnded: Bool)
        /// A prediction whose body is being read.
        case reading(PredictionRequest)
        /// A prediction sent on to a worker.
        case forwarding(LoopForward, Asked)
    }

    /// What the answer to a forwarded prediction needs besides what its `LoopForward` keeps.
    private struct Asked {
        var call: WorkerCall
        var started: ContinuousClock.Instant
        var closeAfter: Bool
    }

    /// A prediction as read so far.
    private struct PredictionRequest {
        var path: PredictionPath
        var headers: HTTPHeaders
        var started: ContinuousClock.Instant
        var deadline: NIODeadline
        var body: ByteBuffer?
        var tooLarge = false
        /// The client asked to close the connection after this answer.
        var closeAfter: Bool
    }

    private let router: TrafficRouter
    private var context: ChannelHandlerContext?
    private var connections: WorkerConnectionPool?
    private var state = State.idle
    /// Request parts that arrived while an answer was being produced.
    private var queue = CircularBuffer<HTTPServerRequestPart>()
    /// Events and errors held while a prediction is in flight or requests wait.
    private var notices: [Notice] = []
    private var readHeld = false
    private let clock = ContinuousClock()

    init(router: TrafficRouter) {
        self.router = router
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.connections = router.workerConnections.pool(on: context.eventLoop)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        abandonForward()
    }

    // MARK: Inbound

    /// True while something the client sent must wait: an answer is being produced and not yet written.
    private var mustWait: Bool {
        switch state {
        case .idle, .reading: false
        case .passingThrough(let requestEnded, _): requestEnded
        case .forwarding: true
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if mustWait || !queue.isEmpty {
            queue.append(part)
        } else {
            handle(part, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let channelEvent = event as? ChannelEvent, channelEvent == .inputClosed {
            switch state {
            case .forwarding(let forward, _):
                // The client hung up while its prediction was with a worker: as a proxy reads a
                // closed input, it gave up. The prediction is abandoned (not the worker's fault),
                // and Hummingbird hears of the end of input once that is counted.
                notices.append(.event(event))
                forward.cancel()
                return
            case .reading:
                // Half a request will never be finished.
                state = .idle
                queue.removeAll()
                context.fireUserInboundEventTriggered(event)
                return
            case .idle, .passingThrough:
                break
            }
        }
        // A shutdown notice must not close the connection under a prediction in flight, which
        // Hummingbird does not know about.
        if isPredicting || !queue.isEmpty {
            notices.append(.event(event))
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if isPredicting || !queue.isEmpty {
            notices.append(.error(error))
        } else {
            context.fireErrorCaught(error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        queue.removeAll()
        notices.removeAll()
        abandonForward()
        context.fireChannelInactive()
    }

    private var isPredicting: Bool {
        switch state {
        case .reading, .forwarding: true
        case .idle, .passingThrough: false
        }
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            guard let path = PredictionPath(method: head.method, uri: head.uri) else {
                state = .passingThrough(requestEnded: false, responseEnded: false)
                context.fireChannelRead(wrapInboundOut(part))
                return
            }
            // `Connection: close`, or HTTP/1.0 without `keep-alive`.
            state = .reading(PredictionRequest(
                path: path, headers: head.headers, started: clock.now,
                deadline: .now() + TimeAmount(router.configuration.requestTimeout), closeAfter: !head.isKeepAlive))

        case (.reading(var request), .body(var chunk)):
            guard !request.tooLarge else { return }
            let size = (request.body?.readableBytes ?? 0) + chunk.readableBytes
            if size > router.configuration.maxRequestBytes {
                // The rest is read and dropped so the connection stays usable for the next request.
                request.tooLarge = true
                request.body = nil
            } else if request.body == nil {
                request.body = chunk
            } else {
                request.body!.writeBuffer(&chunk)
            }
            state = .reading(request)

        case (.reading(let request), .end):
            answer(request)

        case (.passingThrough(false, let responseEnded), _):
            if case .end = part {
                state = .passingThrough(requestEnded: true, responseEnded: responseEnded)
            }
            context.fireChannelRead(wrapInboundOut(part))
            if case .passingThrough(true, true) = state { requestDone() }

        default:
            // Out-of-order parts cannot come from the HTTP/1 decoder; Hummingbird reports them as it always has.
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    // MARK: The prediction path

    private func answer(_ request: PredictionRequest) {
        let endpoint: String
        switch request.path.endpoint {
        case .inPath(let name):
            endpoint = name
        case .inHeader:
            let headerName = router.configuration.endpointHeader
            guard let name = request.headers.first(name: headerName), !name.isEmpty else {
                write(.error("POST /invocations needs the endpoint in the \(headerName) header, or POST to /endpoints/{endpoint}/invocations",
                             status: .badRequest), closeAfter: request.closeAfter)
                return
            }
            endpoint = name
        }
        let call = request.path.call
        let body = call.method == .POST ? (request.body ?? ByteBuffer()) : nil
        switch router.decide(endpoint: endpoint, pinned: request.path.pinned, call: call, header: { request.headers.first(name: $0) },
                             body: body, bodyTooLarge: request.tooLarge) {
        case .refuse(let refusal):
            write(router.refuse(refusal, micros: TrafficRouter.micros(clock.now - request.started)), closeAfter: request.closeAfter)
        case .forward(let plan, let version):
            guard let connections else { return }
            let headers = ForwardedHeaders.toWorker(request.headers)
            let outbound = WorkerRequest(method: call.method, path: plan.workerPath(call), headers: headers, body: body)
            let forward = LoopForward(router: router, connections: connections, plan: plan, version: version, request: outbound, owner: self)
            state = .forwarding(forward, Asked(call: call, started: request.started, closeAfter: request.closeAfter))
            forward.start(deadline: request.deadline)
        }
    }

    func forwardEnded(_ forward: LoopForward, _ outcome: Result<WorkerAnswer, WorkerFailure>) {
        guard case .forwarding(let current, let asked) = state, current === forward else { return }
        let micros = TrafficRouter.micros(clock.now - asked.started)
        let answer = router.conclude(outcome, call: asked.call, plan: forward.plan, version: forward.version,
                                     headers: forward.request.headers, body: forward.request.body, micros: micros)
        write(answer, closeAfter: asked.closeAfter)
    }

    /// Consumes the answer so its header fields, which have room for these three, grow in place.
    private func write(_ answer: consuming GatewayAnswer, closeAfter: Bool) {
        guard let context else { return }
        answer.headers.add(name: "content-length", value: String(answer.body.readableBytes))
        answer.headers.add(name: "date", value: router.dateText.now)
        if closeAfter { answer.headers.add(name: "connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: Int(answer.status.code)), headers: answer.headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if answer.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(answer.body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if closeAfter {
            queue.removeAll()
            notices.removeAll()
            state = .idle
            context.close(promise: nil)
            return
        }
        requestDone()
    }

    private func abandonForward() {
        if case .forwarding(let forward, _) = state {
            forward.cancel()
        }
    }

    // MARK: Order

    /// The current request is answered: the requests that waited are handled in order until one
    /// must wait again; held events and errors go on once no prediction is in flight.
    private func requestDone() {
        guard let context else { return }
        state = .idle
        var handedOn = false
        while !mustWait, let part = queue.popFirst() {
            handle(part, context: context)
            handedOn = true
        }
        // Parts passed on here arrive outside a read cycle; Hummingbird's async channel only hands
        // what it buffered to the router when a read cycle completes.
        if handedOn { context.fireChannelReadComplete() }
        if !isPredicting, queue.isEmpty, !notices.isEmpty {
            let held = notices
            notices.removeAll()
            for notice in held {
                switch notice {
                case .event(let event): context.fireUserInboundEventTriggered(event)
                case .error(let error): context.fireErrorCaught(error)
                }
            }
        }
        if readHeld, queue.isEmpty {
            readHeld = false
            context.read()
        }
    }

    // MARK: Outbound

    /// Reading goes on while a prediction is in flight, so a client that hangs up is noticed (and
    /// its prediction abandoned) at once; it stops only once requests are waiting in the queue.
    func read(context: ChannelHandlerContext) {
        if queue.isEmpty {
            context.read()
        } else {
            readHeld = true
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), case .passingThrough(let requestEnded, false) = state {
            state = .passingThrough(requestEnded: requestEnded, responseEnded: true)
            context.write(data, promise: promise)
            if requestEnded { requestDone() }
            return
        }
        context.write(data, promise: promise)
    }
}
