import Foundation

/// Something that happened on the control plane, as the events stream and the console's timeline
/// show it. Every audited change is an event; so are workers joining and going quiet.
public struct ControlEvent: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case versionPushed, trafficChanged, rollback, rolloutStarted, rolloutStep, rolloutPaused, rolloutResumed
        case rolloutPromoted, rolloutAborted, rolloutRolledBack, workerJoined, workerLost, workerLeft, aliasMoved
    }

    /// Increasing; a client resumes after the last id it saw.
    public var id: Int64
    public var at: Date
    public var kind: Kind
    public var endpoint: String?
    public var actor: String
    /// One line for a human: "fraud: 1.1.0 20% → 0%, 1.0.0 80% → 100% (error rate 31% > 5%)".
    public var message: String

    public init(id: Int64, at: Date, kind: Kind, endpoint: String?, actor: String, message: String) {
        self.id = id
        self.at = at
        self.kind = kind
        self.endpoint = endpoint
        self.actor = actor
        self.message = message
    }
}
