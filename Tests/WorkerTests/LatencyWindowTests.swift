import Foundation
import NightjarCore
import Testing
import ServiceSupport

@Suite struct LatencyWindowTests {
    @Test func percentilesAndRatesOverTheWindow() {
        let window = LatencyWindow(windowSeconds: 10)
        let start = Date(timeIntervalSince1970: 1_000_000)
        // 100 requests spread over 10 seconds: latencies 1..100 ms, every 10th one failed.
        for i in 1...100 {
            window.record(latencyMicros: UInt64(i * 1000), failed: i % 10 == 0, at: start.addingTimeInterval(Double(i - 1) / 10))
        }
        let s = window.summary(at: start.addingTimeInterval(9.95), since: start.addingTimeInterval(-60))
        #expect(s.windowRequests == 100)
        #expect(s.windowErrors == 10)
        #expect(abs(s.latencyMs.p50 - 50) < 0.1)
        #expect(abs(s.latencyMs.p99 - 99) < 0.1)
        #expect(abs(s.latencyMs.max - 100) < 0.1)
    }

    @Test func oldSecondsFallOutOfTheWindow() {
        let window = LatencyWindow(windowSeconds: 10)
        let start = Date(timeIntervalSince1970: 2_000_000)
        window.record(latencyMicros: 500_000, failed: true, at: start)
        window.record(latencyMicros: 1_000, failed: false, at: start.addingTimeInterval(12))
        let s = window.summary(at: start.addingTimeInterval(12.5), since: start)
        #expect(s.requestsTotal == 2 && s.errorsTotal == 1)
        #expect(s.windowRequests == 1 && s.windowErrors == 0)
        #expect(s.latencyMs.max < 2)
    }
}
