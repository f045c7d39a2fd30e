import NightjarCore

/// One request's tries at a version's workers: the least-busy admitted worker first and, only when
/// it could not be reached, once more on another (or the same one when it is the only worker). The
/// async path and the event-loop path both step through this with `TrafficRouter.nextWorker` and
/// `TrafficRouter.settle`, so retries and worker outcomes are counted the same way on both.
struct ForwardingAttempts {
    let workers: [String]
    let limit: Int
    var tried: Set<String> = []
    var made = 0
    /// What the last try failed with; also the answer when no worker could even be tried.
    var lastFailure: WorkerFailure

    init(workers: [String], version: SemVer, retry: Bool) {
        self.workers = workers
        self.limit = retry ? 2 : 1
        self.lastFailure = .unreachable(worker: "", reason: "version \(version) has no workers")
    }
}
