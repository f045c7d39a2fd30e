import Foundation
import NightjarCore
import ServiceSupport
import Synchronization

/// Per-version numbers as clients saw them through the gateway, in the worker's `StatsSnapshot`
/// shape so the console and the rollout analysis read gateway and worker stats alike.
final class VersionStats: Sendable {
    struct Key: Hashable, Sendable {
        var endpoint: String
        var version: SemVer
    }

    private struct Entry: Sendable {
        let model: ModelRef
        let window: LatencyWindow
        let startedAt: Date
    }

    let windowSeconds: Int
    private let entries = Mutex<[Key: Entry]>([:])

    init(windowSeconds: Int) {
        self.windowSeconds = windowSeconds
    }

    /// Records one request; any status of 400 or more (the worker's 4xx included) is an error of that version.
    func record(endpoint: String, model: String, version: SemVer, status: Int, latencyMicros: UInt64, at now: Date = Date()) {
        let key = Key(endpoint: endpoint, version: version)
        let window = entries.withLock { entries in
            if let entry = entries[key] { return entry.window }
            let entry = Entry(model: ModelRef(name: model, version: version), window: LatencyWindow(windowSeconds: windowSeconds), startedAt: now)
            entries[key] = entry
            return entry.window
        }
        window.record(latencyMicros: latencyMicros, failed: status >= 400, at: now)
    }

    /// Every version of `endpoint` that has seen a request.
    func snapshots(endpoint: String, at now: Date = Date()) -> [SemVer: StatsSnapshot] {
        let mine = entries.withLock { entries in entries.filter { $0.key.endpoint == endpoint } }
        return Dictionary(uniqueKeysWithValues: mine.map { key, entry in
            let s = entry.window.summary(at: now, since: entry.startedAt)
            return (key.version, StatsSnapshot(
                model: entry.model,
                requestsTotal: s.requestsTotal,
                errorsTotal: s.errorsTotal,
                windowSeconds: s.coveredSeconds,
                requestsPerSecond: Double(s.windowRequests) / s.coveredSeconds,
                errorRate: s.windowRequests == 0 ? 0 : Double(s.windowErrors) / Double(s.windowRequests),
                latencyMs: s.latencyMs,
                uptimeSeconds: now.timeIntervalSince(entry.startedAt)))
        })
    }
}
