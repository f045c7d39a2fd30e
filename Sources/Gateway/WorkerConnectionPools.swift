import NIOCore
import Synchronization

/// The `WorkerConnectionPool` of each event loop a gateway connection runs on. A pool is made the
/// first time a connection on its loop asks and is only used on that loop.
final class WorkerConnectionPools: Sendable {
    private let pools = Mutex<[ObjectIdentifier: NIOLoopBound<WorkerConnectionPool>]>([:])
    private let connectTimeout: TimeAmount
    private let maxResponseBytes: Int
    private let maxIdlePerWorker: Int

    init(connectTimeout: TimeAmount, maxResponseBytes: Int, maxIdlePerWorker: Int) {
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.maxIdlePerWorker = maxIdlePerWorker
    }

    /// Closes, on each pool's own loop, the idle connections to workers that are not in `workers`
    /// (the routing table no longer names them): nothing would ever take them again, and a worker
    /// that stays up would otherwise keep them open for good. Connections carrying a request finish it.
    func closeIdle(keeping workers: Set<String>) {
        let all = pools.withLock { Array($0.values) }
        for bound in all {
            bound.eventLoop.execute { bound.value.closeIdle(keeping: workers) }
        }
    }

    /// The pool of `eventLoop`; call on that loop.
    func pool(on eventLoop: any EventLoop) -> WorkerConnectionPool {
        let key = ObjectIdentifier(eventLoop)
        return pools.withLock { pools in
            if let bound = pools[key] { return bound.value }
            let pool = WorkerConnectionPool(eventLoop: eventLoop, connectTimeout: connectTimeout,
                                            maxResponseBytes: maxResponseBytes, maxIdlePerWorker: maxIdlePerWorker)
            pools[key] = NIOLoopBound(pool, eventLoop: eventLoop)
            return pool
        }
    }
}
