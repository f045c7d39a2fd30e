import NIOCore
import NightjarCore

/// One prediction forwarded from the event loop it arrived on, through that loop's worker
/// connections: tries workers as `ForwardingAttempts` allows (the same steps as the async path),
/// under the request's deadline, and reports the outcome once, on the loop.
final class LoopForward {
    private let router: TrafficRouter
    private let connections: WorkerConnectionPool
    private let plan: EndpointPlan
    private let version: SemVer
    private let request: WorkerRequest
    private var attempts: ForwardingAttempts
    private var current: WorkerExchange?
    private var done: ((Result<WorkerAnswer, WorkerFailure>) -> Void)?

    init(router: TrafficRouter, connections: WorkerConnectionPool, plan: EndpointPlan, version: SemVer, request: WorkerRequest,
         done: @escaping (Result<WorkerAnswer, WorkerFailure>) -> Void) {
        self.router = router
        self.connections = connections
        self.plan = plan
        self.version = version
        self.request = request
        self.attempts = ForwardingAttempts(workers: plan.workers(of: version), version: version, retry: true)
        self.done = done
    }

    /// True once the outcome has been reported.
    var isFinished: Bool { done == nil }

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
        let exchange = connections.send(request, to: worker) { [weak self] result in
            self?.attemptEnded(worker: worker, result: result)
        }
        // An exchange can end before `send` returns (an address that cannot be used), and the next
        // attempt may already be under way.
        if !exchange.isFinished { current = exchange }
    }

    private func attemptEnded(worker: String, result: Result<WorkerAnswer, WorkerFailure>) {
        current = nil
        if let outcome = router.settle(&attempts, worker: worker, result: result, plan: plan, version: version) {
            finish(outcome)
        } else if done != nil {
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
        guard let done else { return }
        self.done = nil
        connections.deadlines.finished()
        done(outcome)
    }
}
