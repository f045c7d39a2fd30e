import Synchronization

/// Live state of every worker the gateway sends to: requests in flight (for least-outstanding
/// choice), consecutive failures and ejection. Kept across routing-table updates so a worker that
/// stays in the table keeps its history.
final class WorkerPool: Sendable {
    struct Health: Sendable {
        var outstanding = 0
        var consecutiveFailures = 0
        var ejectedUntil: ContinuousClock.Instant?
    }

    /// How a forwarded request ended, as far as the worker's health is concerned.
    enum Outcome: Sendable {
        /// Any HTTP answer below 500, including 4xx: the worker is fine, the request was not.
        case healthy
        /// A connection failure, a timeout or a 5xx answer.
        case failed
        /// The client went away or the gateway gave up for its own reasons: says nothing about the worker.
        case abandoned
    }

    let ejectionThreshold: Int
    let ejectionDuration: Duration
    private let state = Mutex<[String: Health]>([:])

    init(ejectionThreshold: Int, ejectionDuration: Duration) {
        self.ejectionThreshold = max(1, ejectionThreshold)
        self.ejectionDuration = ejectionDuration
    }

    /// Takes the admitted worker with the fewest requests in flight among `candidates`, skipping
    /// `excluded`, and counts the new request against it. When every candidate is ejected the
    /// ejection is ignored: a guess from passive failures must not turn into a certain outage.
    func acquire(from candidates: [String], excluding excluded: TriedWorkers = TriedWorkers(), now: ContinuousClock.Instant = .now) -> String? {
        state.withLock { workers in
            // One pass and no arrays: this runs for every prediction.
            var random = RoutingRandom()
            var admitted = LeastOutstanding(), open = LeastOutstanding()
            for url in candidates where !excluded.contains(url) {
                var health = workers[url] ?? Health()
                if let until = health.ejectedUntil, until <= now {
                    // Re-admitted on probation: one more failure ejects it again.
                    health.ejectedUntil = nil
                    health.consecutiveFailures = ejectionThreshold - 1
                    workers[url] = health
                }
                open.consider(url, outstanding: health.outstanding, using: &random)
                if health.ejectedUntil == nil { admitted.consider(url, outstanding: health.outstanding, using: &random) }
            }
            guard let chosen = admitted.chosen ?? open.chosen else { return nil }
            workers[chosen, default: Health()].outstanding += 1
            return chosen
        }
    }

    /// The candidate with the fewest requests in flight so far. Ties are broken uniformly at random
    /// as they are met (a reservoir of one), which spreads a burst of simultaneous requests instead
    /// of piling them on the first.
    private struct LeastOutstanding {
        private(set) var chosen: String?
        private var fewest = Int.max
        private var ties = 0

        mutating func consider(_ url: String, outstanding: Int, using random: inout RoutingRandom) {
            if outstanding < fewest {
                (chosen, fewest, ties) = (url, outstanding, 1)
            } else if outstanding == fewest {
                ties += 1
                if Int.random(in: 0..<ties, using: &random) == 0 { chosen = url }
            }
        }
    }

    /// Ends a request taken with `acquire`. Returns true when this failure ejected the worker.
    @discardableResult
    func release(_ url: String, outcome: Outcome, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { workers in
            guard var health = workers[url] else { return false }
            health.outstanding = max(0, health.outstanding - 1)
            var ejected = false
            switch outcome {
            case .healthy:
                health.consecutiveFailures = 0
            case .failed:
                health.consecutiveFailures += 1
                if health.ejectedUntil == nil, health.consecutiveFailures >= ejectionThreshold {
                    health.ejectedUntil = now + ejectionDuration
                    ejected = true
                }
            case .abandoned:
                break
            }
            workers[url] = health
            return ejected
        }
    }

    /// Workers ejected at `now`.
    func ejected(now: ContinuousClock.Instant = .now) -> Set<String> {
        state.withLock { workers in
            Set(workers.compactMap { url, health in
                if let until = health.ejectedUntil, until > now { url } else { nil }
            })
        }
    }

    func isEjected(_ url: String, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { workers in
            if let until = workers[url]?.ejectedUntil { until > now } else { false }
        }
    }

    /// Forgets workers that left the table and have nothing in flight; those still busy are
    /// forgotten by a later update, after their requests finish.
    func retain(only known: Set<String>) {
        state.withLock { workers in
            workers = workers.filter { known.contains($0.key) || $0.value.outstanding > 0 }
        }
    }
}
