import Foundation
import NightjarCore

/// Everything the console shows, as one plain value. Only the reducer changes it.
public struct AppState: Sendable, Equatable {
    /// Which half of a two-pane view has the selection; Tab switches.
    public enum Pane: Sendable, Equatable { case primary, secondary }

    /// A worker with its latest stats and a short history for the sparkline.
    public struct WorkerRow: Sendable, Equatable {
        public var info: WorkerInfo
        public var stats: StatsSnapshot?
        public var statsError: String?
        /// Requests per second, one sample per refresh, oldest first.
        public var rateHistory: [Double] = []
        /// CPU use in percent of one core between the last two snapshots (from the worker's own
        /// CPU time and uptime, so the console's clock does not enter); nil before the second.
        public var cpuPercent: Double?

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

        public init(text: String, isError: Bool) {
            self.text = text
            self.isError = isError
        }
    }

    /// How the console was started; fixed for its lifetime.
    public struct Options: Sendable, Equatable {
        /// Hides and refuses every change to the control plane.
        public var readOnly = false
        /// Ring the terminal bell once when an alert is raised.
        public var bell = true
        /// Where `y` writes copied lines besides the terminal clipboard; nil writes no file.
        public var clipboardFile: String?
        /// Plain ASCII instead of box drawing, blocks and symbols, for terminals and fonts without them.
        public var ascii = false

        public init(readOnly: Bool = false, bell: Bool = true, clipboardFile: String? = nil, ascii: Bool = false) {
            self.readOnly = readOnly
            self.bell = bell
            self.clipboardFile = clipboardFile
            self.ascii = ascii
        }
    }

    /// A control-plane read; at most one of each kind is outstanding, so a slow server is not
    /// buried under a new request every second.
    public enum Fetch: Sendable, Hashable { case workers, endpoints, events, models, gateways }

    public static let historyLength = 60
    /// Events kept in memory for the timeline.
    public static let eventsKept = 1000
    /// Events read when the console starts: the recent past, not the whole log.
    public static let eventsAtStart = 200
    /// Events older than this when they first arrive are history, not news: they raise no alert.
    public static let alertHorizonSeconds: TimeInterval = 300

    public var serverAddress: String
    public var options: Options
    public var width: Int
    public var height: Int
    public var now: Date

    public var view: ConsoleView = .overview
    /// Where Esc goes back to.
    public var backStack: [ConsoleView] = []
    public var pane: Pane = .primary

    public var endpoints: [EndpointStatus] = []
    public var history: [String: VersionHistory] = [:]
    public var models: [ModelSummary] = []
    /// Standalone gateway replicas heard from lately; their clients count in the endpoints' numbers
    /// only while they are `counted`.
    public var gateways: [GatewayReplicaInfo] = []
    public var workers: [WorkerRow] = []
    public var events: [ControlEvent] = []
    public var lastEventID: Int64 = 0

    public var endpointsFeed = Feed()
    public var workersFeed = Feed()
    public var modelsFeed = Feed()
    public var eventsFeed = Feed()

    /// Selections are indexes into what is shown (sorted and filtered), not into the raw lists.
    public var selectedEndpoint = 0
    public var selectedVersion = 0
    public var selectedWorker = 0
    public var selectedModel = 0
    public var selectedEvent = 0

    /// The form and results of the spot check view, while it is open.
    public var spotCheck: SpotCheck?
    /// The drift view's selection and whether its column is enlarged.
    public var drift = DriftFocus()

    public var alerts: [Alert] = []
    /// Failing rollout rules already alerted, so a rule failing for minutes raises one alert.
    public var failingRules: Set<String> = []

    public var prompt: Prompt?
    /// What `/` narrowed the current view to; empty shows everything.
    public var filter = ""
    public var dialog: Dialog?
    public var showHelp = false
    public var status: Status?
    /// Reads sent and not yet answered.
    public var awaiting: Set<Fetch> = []
    /// Mutations sent and not yet answered, so the status line can say "working…".
    public var inFlight = 0
    public var ticks = 0
    public var shouldQuit = false

    public init(serverAddress: String, options: Options = Options(), width: Int = 80, height: Int = 24, now: Date = Date()) {
        self.serverAddress = serverAddress
        self.options = options
        self.width = width
        self.height = height
        self.now = now
    }

    /// When the workers list last arrived: what the header's "updated Ns ago" counts from.
    public var lastRefresh: Date? { workersFeed.lastSuccess }
}
