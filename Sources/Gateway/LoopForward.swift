import NIOCore
import NightjarCore

/// Who hears how a `LoopForward` ended: the client connection's handler.
protocol LoopForwardOwner: AnyObject {
    func forwardEnded(_ forward: LoopForward, _ outcome: Result<WorkerAnswer, WorkerFailure>)
}

/// One prediction forwarded from the event loop it arrived on, through that loop's worker
/// connections: tries workers as `ForwardingAttempts` allows (the same steps as the async path),
/// under the request's deadline, and reports the outcome once, on the loop, to its owner. The
/// owner and each exchange are held strongly until the outcome is reported, not through closures
/// or weak references, each of which allocated per prediction.
final class LoopForward {
    private let router: TrafficRouter
    private let connections: WorkerConnectionPool
    let plan: EndpointPlan
    let version: SemVer
    let request: WorkerRequest
    private var attempts: ForwardingAttempts
    private var current: WorkerExchange?
    private var owner: (any LoopForwardOwner)?

    init(router: TrafficRouter, connections: WorkerConnectionPool, plan: EndpointPlan, version: SemVer, request: WorkerRequest,
         owner: any LoopForwardOwner) {
        self.router = router
        self.connections = connections
        self.plan = plan
        self.version = version
        self.request = request
        self.attempts = ForwardingAttempts(workers: plan.workers(of: version), version: version, retry: true)
        self.owner = owner
    }

    /// True once the outcome has been reported.
    var isFinished: Bool { owner == nil }

    func start(deadline: NIODeadline) {
        connections.deadlines.add(self, deadline: deadline)
        tryNextWorker()
    }

    /// The client went away: the worker's answer would have no one to go to.
    func cancel() {
        guard let current else { return }
        current.abort(.cancelled)
    }

    private func tryNextWorker() {
        guard let worker = router.nextWorker(&attempts) else {
            finish(.failure(attempts.lastFailure))
            return
        }
        let exchange = connections.send(request, to: worker, for: self)
        // An exchange can end before `send` returns (an address that cannot be used), and the next
        // attempt may already be under way.
        if !exchange.isFinished { current = exchange }
    }

    /// Called by the exchange of the current try when it ends.
    func attemptEnded(worker: String, result: Result<WorkerAnswer, WorkerFailure>) {
        current = nil
        if let outcome = router.settle(&attempts, worker: worker, result: result, plan: plan, version: version) {
            finish(outcome)
        } else if !isFinished {
            tryNextWorker()
        }
    }

    /// Called by the loop's `DeadlineQueue`.
    func deadlinePassed() {
        if let current {
            current.abort(.timedOut(worker: current.worker))
        } else {
            finish(.failure(.timedOut(worker: attempts.tried.first ?? "")))
        }
    }

    private func finish(_ outcome: Result<WorkerAnswer, WorkerFailure>) {
        guard let owner else { return }
        self.owner = nil
        owner.forwardEnded(self, outcome)
    }
}
