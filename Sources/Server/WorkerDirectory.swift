import Foundation
import NightjarCore

/// The workers that have announced themselves, and which of them have gone quiet.
///
/// Workers heartbeat by announcing again; one that misses `missedHeartbeatsForLost` beats is
/// marked lost but kept, so the console can show the operator what disappeared.
public actor WorkerDirectory {
    public let heartbeatInterval: TimeInterval
    public let missedHeartbeatsForLost: Int
    private var workers: [String: WorkerInfo] = [:]

    public init(heartbeatInterval: TimeInterval = 1, missedHeartbeatsForLost: Int = 3) {
        self.heartbeatInterval = heartbeatInterval
        self.missedHeartbeatsForLost = missedHeartbeatsForLost
    }

    @discardableResult
    public func announce(_ a: WorkerAnnouncement, at now: Date = Date()) -> WorkerInfo {
        let info = WorkerInfo(id: a.id, model: a.model, address: a.address, pid: a.pid, state: .ready, lastSeen: now)
        workers[a.id] = info
        return info
    }

    /// Removes a worker that is shutting down cleanly; returns whether it was known.
    @discardableResult
    public func withdraw(id: String) -> Bool {
        workers.removeValue(forKey: id) != nil
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
