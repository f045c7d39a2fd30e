import NightjarCore

/// One request's tries at a version's workers: the least-busy admitted worker first and, only when
/// it could not be reached, once more on another (or the same one when it is the only worker). The
/// async path and the event-loop path both step through this with `TrafficRouter.nextWorker` and
/// `TrafficRouter.settle`, so retries and worker outcomes are counted the same way on both.
struct ForwardingAttempts {
    let workers: [String]
    let version: SemVer
    let limit: Int
    var tried = TriedWorkers()
    var made = 0
    /// What the last try failed with; nil until one has.
    var lastTryFailure: WorkerFailure?

    init(workers: [String], version: SemVer, retry: Bool) {
        self.workers = workers
        self.version = version
        self.limit = retry ? 2 : 1
    }

    /// What the last try failed with; when no worker could even be tried, that the version has none.
    /// Worded only when asked for: most requests never need it.
    var lastFailure: WorkerFailure {
        lastTryFailure ?? .unreachable(worker: "", reason: "version \(version) has no workers")
    }
}

/// The workers one request has been sent to: one, or two after a retry. Kept without a set or an
/// array for the usual single try, which would allocate on every prediction.
struct TriedWorkers {
    private(set) var first: String?
    private var others: [String] = []

    func contains(_ worker: String) -> Bool {
        first == worker || others.contains(worker)
    }

    mutating func insert(_ worker: String) {
        guard !contains(worker) else { return }
        if first == nil { first = worker } else { others.append(worker) }
    }
}
