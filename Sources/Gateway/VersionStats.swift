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
            (key.version, StatsSnapshot(gatewaySummary: entry.window.summary(at: now, since: entry.startedAt), model: entry.model,
                                        startedAt: entry.startedAt, at: now))
        })
    }

    /// Every version's window with its histogram counts, for a control plane to merge with other
    /// gateways'; only the endpoint's when one is named.
    func windows(endpoint: String? = nil, at now: Date = Date()) -> [GatewayStatsReport.Version] {
        let all = entries.withLock { entries in entries.filter { endpoint == nil || $0.key.endpoint == endpoint } }
        return all.map { key, entry in
            GatewayStatsReport.Version(endpoint: key.endpoint, model: entry.model, startedAt: entry.startedAt,
                                       window: entry.window.export(at: now))
        }.sorted { ($0.endpoint, $0.model.version) < ($1.endpoint, $1.model.version) }
    }
}
