import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NightjarCore
import Synchronization

/// The data plane: sends each prediction to a worker of the version its endpoint's split (or the
/// client's pin, or its sticky key) chooses, and counts what clients saw per version.
///
/// The control plane owns it and calls `update(routes:)` whenever deployments or workers change;
/// `addRoutes(to:)` puts the client-facing routes on the gateway's HTTP router.
public final class TrafficRouter: Sendable {
    public let configuration: Configuration
    let http: HTTPClient
    let logger: Logger
    private let table = Mutex(RoutingTable())
    let pool: WorkerPool
    let versionStats: VersionStats
    let metrics = GatewayMetrics()
    let shadows: ShadowLedger
    let shadowsInFlight = Mutex(0)
    let requestTemplates = RequestTemplates()
    /// The prediction path's keep-alive connections to workers, one pool per event loop.
    let workerConnections: WorkerConnectionPools
    let dateText = HTTPDateText()

    public init(http: HTTPClient = TrafficRouter.sharedHTTPClient, configuration: Configuration = .init(), logger: Logger) {
        self.http = http
        self.configuration = configuration
        self.logger = logger
        self.pool = WorkerPool(ejectionThreshold: configuration.ejectionThreshold, ejectionDuration: configuration.ejectionDuration)
        self.versionStats = VersionStats(windowSeconds: configuration.statsWindowSeconds)
        self.shadows = ShadowLedger(windowSeconds: configuration.statsWindowSeconds)
        self.workerConnections = WorkerConnectionPools(connectTimeout: TimeAmount(configuration.connectTimeout),
                                                       maxResponseBytes: configuration.maxResponseBytes,
                                                       maxIdlePerWorker: configuration.idleConnectionsPerWorker)
    }

    /// Replaces the routing table atomically: new requests see it at once, in-flight ones finish where they were sent.
    public func update(routes: [EndpointRoute]) {
        let next = RoutingTable(routes: routes)
        table.withLock { $0 = next }
        let workers = Set(routes.flatMap { $0.workers.values.joined() })
        pool.retain(only: workers)
        workerConnections.closeIdle(keeping: workers)
    }

    /// The routes in force, as last given to `update(routes:)`, sorted by endpoint.
    public func routes() -> [EndpointRoute] {
        currentTable().endpoints.values.map(\.route).sorted { $0.endpoint < $1.endpoint }
    }

    /// Per-version stats as clients saw them through the gateway, same shape as a worker's.
    /// Versions that have not had a request yet are absent.
    public func stats(endpoint: String) -> [SemVer: StatsSnapshot] {
        versionStats.snapshots(endpoint: endpoint)
    }

    /// Per-version windows with their histogram counts, for merging with other gateways' exactly.
    public func statsWindows(endpoint: String) -> [GatewayStatsReport.Version] {
        versionStats.windows(endpoint: endpoint)
    }

    /// Everything this gateway saw, as a replica reports it to its control plane.
    public func statsReport(gateway: String) -> GatewayStatsReport {
        let shadows = currentTable().endpoints.keys.sorted().compactMap { shadowStats(endpoint: $0) }
        return GatewayStatsReport(gateway: gateway, versions: versionStats.windows(), shadows: shadows)
    }

    /// Workers currently ejected as outliers (base URLs), so the control plane can show them.
    public func ejectedWorkers() -> Set<String> {
        pool.ejected()
    }

    /// What mirroring to the endpoint's current shadow version has shown; nil when it has no shadow
    /// or nothing was mirrored yet.
    public func shadowStats(endpoint: String) -> ShadowStats? {
        guard let shadow = currentTable().endpoints[endpoint]?.route.shadow else { return nil }
        return shadows.stats(.init(endpoint: endpoint, version: shadow.version))
    }

    /// The gateway's Prometheus text exposition, served on the gateway port's `/metrics`.
    public func prometheusText() -> String {
        metrics.text(ejectedNow: pool.ejected().count)
    }

    func currentTable() -> RoutingTable {
        table.withLock { $0 }
    }
}
