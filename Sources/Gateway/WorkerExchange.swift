/// One request to one worker on the prediction path, from choosing a connection to the answer.
/// Lives on one event loop. Its forward hears exactly once how it ended: with the answer, the
/// failure, or the failure `abort` was given (the deadline passed, the client went away).
final class WorkerExchange {
    let worker: String
    private var forward: LoopForward?
    /// The connection carrying the request, once there is one.
    var connection: WorkerConnectionHandler?
    /// Set while the request rides a pooled connection: if that connection turns out closed before
    /// any of the answer arrived (the worker closed it while idle), the pool sends the request again
    /// once on a new connection instead of failing. Kept as values, not a closure, which would be
    /// one more allocation per prediction.
    weak var resendPool: WorkerConnectionPool?
    var resendRequest: WorkerRequest?

    init(worker: String, for forward: LoopForward) {
        self.worker = worker
        self.forward = forward
    }

    var isFinished: Bool { forward == nil }

    func complete(_ result: Result<WorkerAnswer, WorkerFailure>) {
        guard let forward else { return }
        self.forward = nil
        resendRequest = nil
        connection = nil
        forward.attemptEnded(worker: worker, result: result)
    }

    /// The connection failed before the answer was complete.
    func connectionFailed(_ reason: String, answerStarted: Bool) {
        if !answerStarted, let request = resendRequest {
            resendRequest = nil
            connection = nil
            guard let pool = resendPool else {
                complete(.failure(.unreachable(worker: worker, reason: "the gateway is shutting down")))
                return
            }
            pool.resend(request, self)
            return
        }
        complete(.failure(.unreachable(worker: worker, reason: reason)))
    }

    /// Gives up on the worker: its connection is closed (an answer may be half read) and the
    /// exchange ends with `failure`.
    func abort(_ failure: WorkerFailure) {
        guard !isFinished else { return }
        connection?.abandon()
        complete(.failure(failure))
    }
}
