import Foundation
import NightjarCore

/// The workers that have announced themselves, and which of them have gone quiet.
///
/// Workers heartbeat by announcing again; one that misses `missedHeartbeatsForLost` beats is
/// marked lost but kept, so the console can show the operator what disappeared.
public actor WorkerDirectory {
    /// A change worth an event on the timeline.
    public enum Change: Sendable, Equatable {
        case joined(WorkerInfo)
        case lost(WorkerInfo)
        case returned(WorkerInfo)
        case left(WorkerInfo)
    }

    public let heartbeatInterval: TimeInterval
    public let missedHeartbeatsForLost: Int
    private var workers: [String: WorkerInfo] = [:]
    /// Workers already reported lost, so each loss is reported once.
    private var reportedLost: Set<String> = []

    public init(heartbeatInterval: TimeInterval = 1, missedHeartbeatsForLost: Int = 3) {
        self.heartbeatInterval = heartbeatInterval
        self.missedHeartbeatsForLost = missedHeartbeatsForLost
    }

    /// Records a heartbeat; the change is `joined` for a worker not seen before, `returned` for one
    /// that had been reported lost, nil otherwise.
    @discardableResult
    public func announce(_ a: WorkerAnnouncement, at now: Date = Date()) -> (info: WorkerInfo, change: Change?) {
        let info = WorkerInfo(id: a.id, model: a.model, address: a.address, pid: a.pid, state: .ready, lastSeen: now)
        let isNew = workers[a.id] == nil
        workers[a.id] = info
        if reportedLost.remove(a.id) != nil { return (info, .returned(info)) }
        return (info, isNew ? .joined(info) : nil)
    }

    /// Removes a worker that is shutting down cleanly; nil when it was not known.
    @discardableResult
    public func withdraw(id: String) -> Change? {
        reportedLost.remove(id)
        return workers.removeValue(forKey: id).map { .left($0) }
    }

    /// Workers that have gone quiet since the last sweep, each reported once.
    public func sweep(at now: Date = Date()) -> [Change] {
        list(at: now).filter { $0.state == .lost && !reportedLost.contains($0.id) }.map { info in
            reportedLost.insert(info.id)
            return .lost(info)
        }
    }

    /// Every known worker with its state as of `now`, ordered by model then address.
    public func list(at now: Date = Date()) -> [WorkerInfo] {
        let deadline = heartbeatInterval * Double(missedHeartbeatsForLost)
        return workers.values.map { w in
            var w = w
            if now.timeIntervalSince(w.lastSeen) > deadline { w.state = .lost }
            return w
        }.sorted { ($0.model, $0.address) < ($1.model, $1.address) }
    }
}
