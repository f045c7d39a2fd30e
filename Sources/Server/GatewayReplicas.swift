import Foundation
import NightjarCore
import Synchronization

/// The latest stats report of each standalone gateway replica. A report holds the replica's whole
/// window, so each one replaces the last; a replica that stops reporting drops out after
/// `freshness`, so a gateway that was shut down does not hold old numbers in the analysis.
public final class GatewayReplicas: Sendable {
    public let freshness: TimeInterval
    private let reports = Mutex<[String: (report: GatewayStatsReport, at: Date)]>([:])

    public init(freshness: TimeInterval = 5) {
        self.freshness = freshness
    }

    /// Replicas silent longer than this are forgotten, not only left out of the numbers.
    public var listedFor: TimeInterval { freshness * 12 }

    public func receive(_ report: GatewayStatsReport, at now: Date = Date()) {
        reports.withLock { reports in
            reports[report.gateway] = (report, now)
            // A replica that was shut down must not stay in memory (or the list) forever.
            reports = reports.filter { now.timeIntervalSince($0.value.at) <= listedFor }
        }
    }

    /// Reports received within `freshness`, oldest replica name first.
    public func fresh(at now: Date = Date()) -> [GatewayStatsReport] {
        reports.withLock { reports in
            reports.values.filter { now.timeIntervalSince($0.at) <= freshness }.map(\.report)
        }.sorted { $0.gateway < $1.gateway }
    }

    /// Every replica heard from within `listedFor`, for `GET /api/v1/gateways`.
    public func list(at now: Date = Date()) -> [GatewayReplicaInfo] {
        reports.withLock { reports in
            reports.values.filter { now.timeIntervalSince($0.at) <= listedFor }.map { entry in
                GatewayReplicaInfo(id: entry.report.gateway, lastReportAt: entry.at,
                                   counted: now.timeIntervalSince(entry.at) <= freshness,
                                   versions: entry.report.versions.count,
                                   requestsInWindow: entry.report.versions.reduce(0) { sum, v in sum + v.window.seconds.reduce(0) { $0 + $1.requests } })
            }
        }.sorted { $0.id < $1.id }
    }

    /// Checks a report before it is counted; the message names the field at fault.
    static func validate(_ report: GatewayStatsReport, id: String) throws(NightjarError) {
        guard report.gateway == id else {
            throw .invalidArgument("gateway: the report names '\(report.gateway)' but was sent for '\(id)'")
        }
        for (i, version) in report.versions.enumerated() {
            guard (1...3600).contains(version.window.windowSeconds) else {
                throw .invalidArgument("versions[\(i)].window.windowSeconds: \(version.window.windowSeconds) is out of range 1...3600")
            }
            for (j, second) in version.window.seconds.enumerated() {
                guard second.latencyMicros.count == second.counts.count else {
                    throw .invalidArgument("versions[\(i)].window.seconds[\(j)]: \(second.latencyMicros.count) latencies but \(second.counts.count) counts")
                }
                guard second.requests >= 0, second.errors >= 0, second.errors <= second.requests else {
                    throw .invalidArgument("versions[\(i)].window.seconds[\(j)]: \(second.errors) errors of \(second.requests) requests")
                }
            }
        }
    }
}
