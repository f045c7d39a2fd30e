/// One request to one worker on the prediction path, from choosing a connection to the answer.
/// Lives on one event loop. `done` is called exactly once: with the answer, the failure, or the
/// failure `abort` was given (the deadline passed, the client went away).
final class WorkerExchange {
    let worker: String
    private var done: ((Result<WorkerAnswer, WorkerFailure>) -> Void)?
    /// The connection carrying the request, once there is one.
    var connection: WorkerConnectionHandler?
    /// Set while the request rides a pooled connection: if that connection turns out closed before
    /// any of the answer arrived (the worker closed it while idle), the pool sends the request again
    /// once on a new connection instead of failing. Kept as values, not a closure, which would be
    /// one more allocation per prediction.
    weak var resendPool: WorkerConnectionPool?
    var resendRequest: WorkerRequest?

    init(worker: String, done: @escaping (Result<WorkerAnswer, WorkerFailure>) -> Void) {
        self.worker = worker
        self.done = done
    }

    var isFinished: Bool { done == nil }

    func complete(_ result: Result<WorkerAnswer, WorkerFailure>) {
        guard let done else { return }
        self.done = nil
        resendRequest = nil
        connection = nil
        done(result)
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
