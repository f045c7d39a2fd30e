import NightjarCore
import Rollout
import Testing

@Suite struct CanaryAnalysisTests {
    let ref = ModelRef(name: "fraud", version: SemVer(2, 1, 0))

    func stats(rps: Double, errorRate: Double, p99: Double) -> StatsSnapshot {
        StatsSnapshot(model: ref, requestsTotal: 0, errorsTotal: 0, windowSeconds: 10, requestsPerSecond: rps,
                      errorRate: errorRate, latencyMs: LatencySummary(p50: p99 / 2, p90: p99 * 0.9, p99: p99, max: p99),
                      uptimeSeconds: 60)
    }

    @Test func aQuietCandidateIsNotJudged() {
        let decision = CanaryAnalysis().evaluate(stable: nil, candidate: stats(rps: 1, errorRate: 1, p99: 900))
        #expect(decision == .notEnoughData(requests: 10, needed: 50))
    }

    @Test func absoluteErrorRateFails() {
        let decision = CanaryAnalysis().evaluate(stable: nil, candidate: stats(rps: 20, errorRate: 0.08, p99: 2))
        #expect(decision == .rollback(rule: "error rate", measured: 0.08, threshold: 0.05))
    }

    @Test func errorsAndLatencyAreComparedWithStable() {
        let analysis = CanaryAnalysis()
        let stable = stats(rps: 100, errorRate: 0.01, p99: 10)
        #expect(analysis.evaluate(stable: stable, candidate: stats(rps: 20, errorRate: 0.02, p99: 12)) == .healthy)
        #expect(analysis.evaluate(stable: stable, candidate: stats(rps: 20, errorRate: 0.04, p99: 12))
            == .rollback(rule: "error rate versus stable", measured: 0.04, threshold: 0.03))
        #expect(analysis.evaluate(stable: stable, candidate: stats(rps: 20, errorRate: 0.01, p99: 25))
            == .rollback(rule: "p99 latency versus stable", measured: 25, threshold: 20))
    }
}
