import Foundation

/// What a worker tells the control plane about itself when it starts and on every heartbeat.
public struct WorkerAnnouncement: Sendable, Codable, Equatable {
    public var id: String
    public var model: ModelRef
    /// Base URL the worker serves on, e.g. `http://127.0.0.1:9001`.
    public var address: String
    public var pid: Int32

    public init(id: String, model: ModelRef, address: String, pid: Int32) {
        self.id = id
        self.model = model
        self.address = address
        self.pid = pid
    }
}

/// A worker as the control plane knows it.
public struct WorkerInfo: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable { case ready, lost }

    public var id: String
    public var model: ModelRef
    public var address: String
    public var pid: Int32
    public var state: State
    public var lastSeen: Date

    public init(id: String, model: ModelRef, address: String, pid: Int32, state: State, lastSeen: Date) {
        self.id = id
        self.model = model
        self.address = address
        self.pid = pid
        self.state = state
        self.lastSeen = lastSeen
    }
}
