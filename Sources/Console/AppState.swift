import Foundation
import NightjarCore

/// Everything the console shows, as one plain value. Only the reducer changes it.
public struct AppState: Sendable, Equatable {
    public enum Panel: Sendable, Equatable { case workers, models }

    /// A worker with its latest stats and a short history for the sparkline.
    public struct WorkerRow: Sendable, Equatable {
        public var info: WorkerInfo
        public var stats: StatsSnapshot?
        public var statsError: String?
        /// Requests per second, one sample per refresh, oldest first.
        public var rateHistory: [Double] = []

        public init(info: WorkerInfo) { self.info = info }

        public var health: HealthVerdict? {
            guard info.state == .ready else { return nil }
            guard let stats else { return .idle }
            return HealthLimits().verdict(for: stats)
        }
    }

    public struct Status: Sendable, Equatable {
        public var text: String
        public var isError: Bool
    }

    public static let historyLength = 60

    public var serverAddress: String
    public var width: Int
    public var height: Int
    public var now: Date
    public var models: [ModelSummary] = []
    public var workers: [WorkerRow] = []
    public var focus: Panel = .workers
    public var selectedWorker = 0
    public var selectedModel = 0
    public var showHelp = false
    /// Why the control plane could not be read, shown until a read succeeds.
    public var serverError: String?
    public var status: Status?
    public var lastRefresh: Date?
    public var ticks = 0
    public var shouldQuit = false

    public init(serverAddress: String, width: Int = 80, height: Int = 24, now: Date = Date()) {
        self.serverAddress = serverAddress
        self.width = width
        self.height = height
        self.now = now
    }
}
