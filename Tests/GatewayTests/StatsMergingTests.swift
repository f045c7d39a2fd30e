import Foundation
import NightjarCore
import ServiceSupport
import Testing

/// Several gateways' numbers of one version merge into what one gateway would have seen had every
/// request gone through it.
@Suite struct StatsMergingTests {
    @Test func mergedWindowsGiveThePercentilesOfAllTheirRequests() {
        let now = Date(timeIntervalSince1970: 1_800_000_000.5)
        let start = now.addingTimeInterval(-60)
        let a = LatencyWindow(windowSeconds: 10), b = LatencyWindow(windowSeconds: 10), all = LatencyWindow(windowSeconds: 10)
        // A second long gone counts in the totals only, as in the window itself (time moves forwards).
        b.record(latencyMicros: 9_000_000, failed: true, at: now.addingTimeInterval(-35))
        // Gateway a is fast, b is slow and sees the errors; only together do they show the real tail.
        for i in 0..<900 {
            let at = now.addingTimeInterval(-Double(i % 8))
            a.record(latencyMicros: UInt64(200 + i), failed: false, at: at)
            all.record(latencyMicros: UInt64(200 + i), failed: false, at: at)
        }
        for i in 0..<100 {
            let at = now.addingTimeInterval(-Double(i % 8))
            b.record(latencyMicros: UInt64(40_000 + 100 * i), failed: i < 10, at: at)
            all.record(latencyMicros: UInt64(40_000 + 100 * i), failed: i < 10, at: at)
        }

        let merged = LatencyWindow.summary(of: [a.export(at: now), b.export(at: now)], windowSeconds: 10, at: now, since: start)
        let expected = all.summary(at: now, since: start)
        #expect(merged.windowRequests == 1000 && merged.windowErrors == 10)
        #expect(merged.latencyMs == expected.latencyMs)
        #expect(merged.requestsTotal == 1001 && merged.errorsTotal == 11)
        #expect(a.summary(at: now, since: start).latencyMs.p99 < 2, "gateway a alone hides the slow tail")
        #expect(merged.latencyMs.p99 > 40)
    }

    @Test func shadowComparisonsMergeCountsAndWeighAgreementByComparedPairs() throws {
        func stats(compared: Int, agreement: Double, difference: Double, p99: Double) -> ShadowStats {
            let latency = LatencySummary(p50: p99 / 4, p90: p99 / 2, p95: p99 / 1.5, p99: p99, max: p99 * 2)
            return ShadowStats(endpoint: "fraud", version: SemVer(1, 1, 0), mirrored: compared + 1, dropped: 1, shadowErrors: 1,
                               compared: compared, agreementRate: agreement, meanAbsoluteDifference: difference,
                               shadowLatencyMs: latency, primaryLatencyMs: latency)
        }
        let merged = try #require(ShadowStats.merging([stats(compared: 300, agreement: 1.0, difference: 0.01, p99: 5),
                                                       stats(compared: 100, agreement: 0.6, difference: 0.05, p99: 80)]))
        #expect(merged.compared == 400 && merged.mirrored == 402 && merged.dropped == 2 && merged.shadowErrors == 2)
        #expect(abs(merged.agreementRate - 0.9) < 1e-12 && abs(merged.meanAbsoluteDifference - 0.02) < 1e-12)
        #expect(merged.shadowLatencyMs.p99 == 80 && merged.shadowLatencyMs.max == 160)
        #expect(ShadowStats.merging([]) == nil)
    }
}
