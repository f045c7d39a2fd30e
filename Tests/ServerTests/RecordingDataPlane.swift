import Gateway
import Hummingbird
import NIOCore
import NightjarCore
import Server
import Synchronization

/// A data plane that remembers the routing table it was given and reports whatever stats a test sets,
/// so control-plane tests can stage "the candidate is failing" without real traffic.
final class RecordingDataPlane: DataPlane {
    private struct State {
        var routes: [EndpointRoute] = []
        var stats: [String: [SemVer: StatsSnapshot]] = [:]
        var shadows: [String: ShadowStats] = [:]
    }

    private let state = Mutex(State())

    /// The control plane's tests send no predictions: the gateway port serves nothing of its own.
    func addRoutes(to router: Router<BasicRequestContext>) {}
    func frontHandlers() -> [any RemovableChannelHandler] { [] }
    func update(routes: [EndpointRoute]) { state.withLock { $0.routes = routes } }
    func stats(endpoint: String) -> [SemVer: StatsSnapshot] { state.withLock { $0.stats[endpoint] ?? [:] } }
    /// Stats set by a test have no histogram behind them; replicas' reports merge with nothing here.
    func statsWindows(endpoint: String) -> [GatewayStatsReport.Version] { [] }
    func ejectedWorkers() -> Set<String> { [] }
    func shadowStats(endpoint: String) -> ShadowStats? { state.withLock { $0.shadows[endpoint] } }

    var routes: [EndpointRoute] { state.withLock { $0.routes } }

    func setStats(_ endpoint: String, _ stats: [SemVer: StatsSnapshot]) {
        state.withLock { $0.stats[endpoint] = stats }
    }

    func setShadowStats(_ endpoint: String, _ stats: ShadowStats?) {
        state.withLock { $0.shadows[endpoint] = stats }
    }
}
