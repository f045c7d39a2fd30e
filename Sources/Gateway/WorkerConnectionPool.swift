import NIOCore
import NIOHTTP1
import NIOPosix

/// The prediction path's connections to workers from one event loop: idle keep-alive connections
/// per worker, opened on the same loop as the client connections that use them, so a forwarded
/// request and its answer never leave the thread the client's request arrived on.
final class WorkerConnectionPool {
    let eventLoop: any EventLoop
    /// The deadlines of the predictions forwarded from this loop.
    let deadlines: DeadlineQueue
    private let connectTimeout: TimeAmount
    private let maxResponseBytes: Int
    /// Idle connections kept per worker; more are closed when they come back.
    private let maxIdlePerWorker: Int
    /// A list per worker, taken and given back in place: a dictionary's value mutated through its
    /// subscript allocated on every prediction.
    private var idle: [String: IdleConnections] = [:]
    private var addresses: [String: WorkerAddress] = [:]
    /// The workers the routing table names, once it has been given: a connection to any other
    /// worker is closed instead of kept when its answer is done.
    private var routed: Set<String>?

    init(eventLoop: any EventLoop, connectTimeout: TimeAmount, maxResponseBytes: Int, maxIdlePerWorker: Int) {
        self.eventLoop = eventLoop
        self.deadlines = DeadlineQueue(eventLoop: eventLoop)
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.maxIdlePerWorker = maxIdlePerWorker
    }

    /// Sends `request` to `worker` on an idle connection, or a new one; `forward` hears how it
    /// ended, on this loop.
    func send(_ request: WorkerRequest, to worker: String, for forward: LoopForward) -> WorkerExchange {
        let exchange = WorkerExchange(worker: worker, for: forward)
        dispatch(request, exchange, reuse: true)
        return exchange
    }

    private func dispatch(_ request: WorkerRequest, _ exchange: WorkerExchange, reuse: Bool) {
        if reuse, let connection = takeIdle(exchange.worker) {
            exchange.resendPool = self
            exchange.resendRequest = request
            connection.send(request, for: exchange)
            return
        }
        guard let address = address(of: exchange.worker) else {
            exchange.complete(.failure(.unreachable(worker: exchange.worker,
                                                    reason: "'\(exchange.worker)' is not an http://host:port address")))
            return
        }
        connect(exchange.worker, address).assumeIsolated().whenComplete { result in
            switch result {
            case .failure(let error):
                exchange.complete(.failure(.unreachable(worker: exchange.worker, reason: "\(error)")))
            case .success(let connection):
                connection.pool = self
                // The deadline or the client may have ended the exchange while connecting: the new
                // connection is good, so it waits for the next request.
                if exchange.isFinished {
                    self.keep(connection)
                } else {
                    connection.send(request, for: exchange)
                }
            }
        }
    }

    private func connect(_ worker: String, _ address: WorkerAddress) -> EventLoopFuture<WorkerConnectionHandler> {
        guard let bootstrap = ClientBootstrap(validatingGroup: eventLoop) else {
            return eventLoop.makeFailedFuture(WorkerConnectionError.loopCannotConnect)
        }
        let maxResponseBytes = self.maxResponseBytes
        let connected = bootstrap
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        WorkerConnectionHandler(worker: worker, address: address, maxResponseBytes: maxResponseBytes))
                }
            }
        let channel: EventLoopFuture<any Channel>
        if let ip = try? SocketAddress(ipAddress: address.host, port: address.port) {
            channel = connected.connect(to: ip)
        } else {
            channel = connected.connect(host: address.host, port: address.port)
        }
        return channel.flatMapThrowing { channel in
            try channel.pipeline.syncOperations.handler(type: WorkerConnectionHandler.self)
        }
    }

    /// Sends again, on a new connection, a request whose pooled connection was found closed.
    func resend(_ request: WorkerRequest, _ exchange: WorkerExchange) {
        dispatch(request, exchange, reuse: false)
    }

    private func takeIdle(_ worker: String) -> WorkerConnectionHandler? {
        guard let list = idle[worker] else { return nil }
        while let connection = list.connections.popLast() {
            if connection.isUsable { return connection }
        }
        return nil
    }

    /// A connection whose answer is complete and that the worker keeps open.
    func keep(_ connection: WorkerConnectionHandler) {
        guard connection.isUsable else { return }
        if let routed, !routed.contains(connection.worker) {
            connection.abandon()
            return
        }
        let list: IdleConnections
        if let known = idle[connection.worker] {
            list = known
        } else {
            list = IdleConnections()
            idle[connection.worker] = list
        }
        guard list.connections.count < maxIdlePerWorker else {
            connection.abandon()
            return
        }
        list.connections.append(connection)
    }

    /// Closes the idle connections to every worker not in `workers`, and from now on those that
    /// come back from such a worker after answering.
    func closeIdle(keeping workers: Set<String>) {
        routed = workers
        let gone = idle.keys.filter { !workers.contains($0) }
        for worker in gone {
            idle.removeValue(forKey: worker)?.connections.forEach { $0.abandon() }
            addresses[worker] = nil
        }
    }

    /// A connection that closed: it must not be handed out again.
    func forget(_ connection: WorkerConnectionHandler) {
        idle[connection.worker]?.connections.removeAll { $0 === connection }
    }

    private func address(of worker: String) -> WorkerAddress? {
        if let known = addresses[worker] { return known }
        guard let parsed = WorkerAddress(url: worker) else { return nil }
        addresses[worker] = parsed
        return parsed
    }
}

/// One worker's idle connections on one loop.
final class IdleConnections {
    var connections: [WorkerConnectionHandler] = []
}

enum WorkerConnectionError: Error, CustomStringConvertible {
    case loopCannotConnect

    var description: String {
        switch self {
        case .loopCannotConnect: "the gateway's event loop cannot open client connections (not a NIOPosix event loop)"
        }
    }
}
