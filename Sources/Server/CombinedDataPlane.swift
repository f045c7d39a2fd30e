import Foundation
import Gateway
import Hummingbird
import NIOCore
import NightjarCore
import ServiceSupport

/// The embedded gateway together with the replicas that report to this control plane: what every
/// client saw, whichever gateway it went through. Routing goes to the embedded gateway only;
/// replicas read their routes from the API.
struct CombinedDataPlane: DataPlane {
    let local: any DataPlane
    let replicas: GatewayReplicas

    func addRoutes(to router: Router<BasicRequestContext>) { local.addRoutes(to: router) }
    func frontHandlers() -> [any RemovableChannelHandler] { local.frontHandlers() }
    func update(routes: [EndpointRoute]) { local.update(routes: routes) }
    func ejectedWorkers() -> Set<String> { local.ejectedWorkers() }
    func statsWindows(endpoint: String) -> [GatewayStatsReport.Version] {
        local.statsWindows(endpoint: endpoint) + remoteWindows(endpoint: endpoint)
    }

    /// The endpoint's windows in the replicas' fresh reports.
    private func remoteWindows(endpoint: String) -> [GatewayStatsReport.Version] {
        replicas.fresh().flatMap { $0.versions.filter { $0.endpoint == endpoint } }
    }

    /// Without fresh replica reports, the embedded gateway's own numbers; with them, one window per
    /// version merged from every gateway's histogram counts.
    func stats(endpoint: String) -> [SemVer: StatsSnapshot] {
        let remote = remoteWindows(endpoint: endpoint)
        guard !remote.isEmpty else { return local.stats(endpoint: endpoint) }
        let now = Date()
        let byVersion = Dictionary(grouping: local.statsWindows(endpoint: endpoint) + remote, by: \.model.version)
        return byVersion.compactMapValues { parts in
            guard let first = parts.first, let start = parts.map(\.startedAt).min(),
                  let windowSeconds = parts.map(\.window.windowSeconds).max() else { return nil }
            let summary = LatencyWindow.summary(of: parts.map(\.window), windowSeconds: windowSeconds, at: now, since: start)
            return StatsSnapshot(gatewaySummary: summary, model: first.model, startedAt: start, at: now)
        }
    }

    /// The embedded gateway's comparison merged with the replicas' of the same shadow version.
    func shadowStats(endpoint: String) -> ShadowStats? {
        let remote = replicas.fresh().flatMap { $0.shadows.filter { $0.endpoint == endpoint } }
        let mine = local.shadowStats(endpoint: endpoint)
        guard let version = mine?.version ?? remote.max(by: { $0.mirrored < $1.mirrored })?.version else { return nil }
        return ShadowStats.merging(([mine].compactMap { $0 } + remote).filter { $0.version == version })
    }
}
