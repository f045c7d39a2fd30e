import Gateway
import Hummingbird
import NIOCore
import NightjarCore

/// What the control plane needs from the data plane: to hand it the routing table and to read back
/// what clients experienced. The embedded `TrafficRouter` is one; `CombinedDataPlane` adds what the
/// standalone replicas report.
public protocol DataPlane: Sendable {
    /// What the gateway port serves: routes on its router, and the handlers that go in front of
    /// them in every connection (the prediction path). One object gives both, so the port cannot
    /// be given one without the other.
    func addRoutes(to router: Router<BasicRequestContext>)
    func frontHandlers() -> [any RemovableChannelHandler]
    func update(routes: [EndpointRoute])
    func stats(endpoint: String) -> [SemVer: StatsSnapshot]
    /// The same numbers as windows of histogram counts, to merge with other gateways' exactly.
    func statsWindows(endpoint: String) -> [GatewayStatsReport.Version]
    func ejectedWorkers() -> Set<String>
    /// What mirroring to the endpoint's shadow has shown; nil without a shadow or before the first copy.
    func shadowStats(endpoint: String) -> ShadowStats?
}

/// The embedded gateway is the control plane's data plane.
extension TrafficRouter: DataPlane {}
