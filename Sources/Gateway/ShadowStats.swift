import Foundation
import NightjarCore
import ServiceSupport
import Synchronization

/// Accumulates `ShadowStats` per endpoint and shadow version.
final class ShadowLedger: Sendable {
    struct Key: Hashable, Sendable {
        var endpoint: String
        var version: SemVer
    }

    private struct Tally: Sendable {
        var mirrored = 0
        var dropped = 0
        var shadowErrors = 0
        var compared = 0
        var agreeing = 0
        var absoluteDifferenceSum = 0.0
        var comparedElements = 0
        let shadowLatency: LatencyWindow
        let primaryLatency: LatencyWindow
        let startedAt: Date
    }

    let windowSeconds: Int
    private let tallies = Mutex<[Key: Tally]>([:])

    init(windowSeconds: Int) {
        self.windowSeconds = windowSeconds
    }

    private func update(_ key: Key, _ change: (inout Tally) -> Void) {
        tallies.withLock { tallies in
            var tally = tallies[key] ?? Tally(shadowLatency: LatencyWindow(windowSeconds: windowSeconds),
                                              primaryLatency: LatencyWindow(windowSeconds: windowSeconds), startedAt: Date())
            change(&tally)
            tallies[key] = tally
        }
    }

    func recordMirrored(_ key: Key) { update(key) { $0.mirrored += 1 } }
    func recordDropped(_ key: Key) { update(key) { $0.dropped += 1 } }

    /// One mirrored request finished; `comparison` is nil when the pair could not be compared.
    func recordOutcome(_ key: Key, shadowFailed: Bool, comparison: ShadowComparison?, shadowMicros: UInt64, primaryMicros: UInt64) {
        update(key) { t in
            if shadowFailed { t.shadowErrors += 1 }
            t.shadowLatency.record(latencyMicros: shadowMicros, failed: shadowFailed)
            t.primaryLatency.record(latencyMicros: primaryMicros, failed: false)
            if let comparison {
                t.compared += 1
                if comparison.agrees { t.agreeing += 1 }
                t.absoluteDifferenceSum += comparison.absoluteDifferenceSum
                t.comparedElements += comparison.comparedElements
            }
        }
    }

    func stats(_ key: Key, at now: Date = Date()) -> ShadowStats? {
        guard let t = tallies.withLock({ $0[key] }) else { return nil }
        return ShadowStats(
            endpoint: key.endpoint, version: key.version, mirrored: t.mirrored, dropped: t.dropped,
            shadowErrors: t.shadowErrors, compared: t.compared,
            agreementRate: t.compared == 0 ? 0 : Double(t.agreeing) / Double(t.compared),
            meanAbsoluteDifference: t.comparedElements == 0 ? 0 : t.absoluteDifferenceSum / Double(t.comparedElements),
            shadowLatencyMs: t.shadowLatency.summary(at: now, since: t.startedAt).latencyMs,
            primaryLatencyMs: t.primaryLatency.summary(at: now, since: t.startedAt).latencyMs)
    }
}
