import NightjarCore
import Registry

/// How worker comings and goings appear on the event timeline.
enum WorkerEvents {
    static func record(_ change: WorkerDirectory.Change, in store: any DeploymentStore) async throws {
        let (kind, info, verb): (ControlEvent.Kind, WorkerInfo, String) = switch change {
        case .joined(let info): (.workerJoined, info, "joined")
        case .returned(let info): (.workerJoined, info, "is back")
        case .left(let info): (.workerLeft, info, "left")
        case .lost(let info): (.workerLost, info, "lost: no heartbeat")
        }
        _ = try await store.recordEvent(kind: kind, endpoint: nil, actor: "worker \(info.id.prefix(8))",
                                        message: "worker \(info.model) at \(info.address) \(verb)")
    }
}
