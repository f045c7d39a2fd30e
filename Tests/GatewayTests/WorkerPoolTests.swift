@testable import Gateway
import Testing

@Suite struct WorkerPoolTests {
    let workers = ["http://a", "http://b", "http://c"]

    @Test func picksTheWorkerWithFewestRequestsInFlight() {
        let pool = WorkerPool(ejectionThreshold: 3, ejectionDuration: .seconds(10))
        let first = pool.acquire(from: workers)
        let second = pool.acquire(from: workers)
        let third = pool.acquire(from: workers)
        #expect(Set([first, second, third].compactMap { $0 }) == Set(workers))
        if let second { pool.release(second, outcome: .healthy) }
        #expect(pool.acquire(from: workers) == second)
    }

    @Test func tiesGoToEveryTiedWorkerAlike() {
        // Each request is released before the next, so all three are always tied at zero.
        let pool = WorkerPool(ejectionThreshold: 3, ejectionDuration: .seconds(10))
        var counts: [String: Int] = [:]
        for _ in 0..<3_000 {
            guard let chosen = pool.acquire(from: workers) else { Issue.record("no worker chosen"); return }
            counts[chosen, default: 0] += 1
            pool.release(chosen, outcome: .healthy)
        }
        // 1,000 expected each; 820...1,180 is over six standard deviations wide.
        for worker in workers { #expect((820...1_180).contains(counts[worker] ?? 0), "\(counts)") }
    }

    @Test func routingDrawsSpreadEvenly() {
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<20_000 { counts[TrafficRouter.draw(below: 10)] += 1 }
        // 2,000 expected per bucket, standard deviation about 42.
        #expect(counts.allSatisfy { (1_750...2_250).contains($0) }, "\(counts)")
    }

    @Test func consecutiveFailuresEjectAndTimeReadmitsOnProbation() {
        let pool = WorkerPool(ejectionThreshold: 3, ejectionDuration: .seconds(10))
        let start = ContinuousClock.now
        for _ in 0..<2 {
            #expect(pool.acquire(from: ["http://a"], now: start) == "http://a")
            #expect(!pool.release("http://a", outcome: .failed, now: start))
        }
        // A success in between resets the count.
        _ = pool.acquire(from: ["http://a"], now: start)
        pool.release("http://a", outcome: .healthy, now: start)
        for attempt in 0..<3 {
            _ = pool.acquire(from: ["http://a"], now: start)
            #expect(pool.release("http://a", outcome: .failed, now: start) == (attempt == 2))
        }
        #expect(pool.ejected(now: start) == ["http://a"])
        // While ejected it gets nothing if another worker is admitted.
        #expect((0..<10).allSatisfy { _ in
            defer { pool.release("http://b", outcome: .healthy, now: start) }
            return pool.acquire(from: ["http://a", "http://b"], now: start) == "http://b"
        })
        let later = start + .seconds(11)
        #expect(pool.ejected(now: later).isEmpty)
        #expect(pool.acquire(from: ["http://a"], now: later) == "http://a")
        // On probation, one more failure ejects it again.
        #expect(pool.release("http://a", outcome: .failed, now: later))
    }

    @Test func whenEveryWorkerIsEjectedTheyStillGetTraffic() {
        let pool = WorkerPool(ejectionThreshold: 1, ejectionDuration: .seconds(60))
        _ = pool.acquire(from: ["http://a"])
        pool.release("http://a", outcome: .failed)
        #expect(pool.ejected() == ["http://a"])
        #expect(pool.acquire(from: ["http://a"]) == "http://a")
    }

    @Test func clientErrorsAndAbandonedRequestsDoNotCountAgainstAWorker() {
        let pool = WorkerPool(ejectionThreshold: 1, ejectionDuration: .seconds(60))
        for outcome in [WorkerPool.Outcome.healthy, .abandoned, .healthy] {
            _ = pool.acquire(from: ["http://a"])
            #expect(!pool.release("http://a", outcome: outcome))
        }
        #expect(pool.ejected().isEmpty)
    }
}
