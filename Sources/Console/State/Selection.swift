import Foundation
import NightjarCore

/// What each view shows, after sorting and the `/` filter. Selections index into these lists.
extension AppState {
    /// Endpoints worst first, then by name.
    public var shownEndpoints: [EndpointStatus] { rankedEndpoints.map(\.status) }

    /// Endpoints worst first with their health, judged once per frame. Indexes are sorted rather
    /// than the statuses themselves, which are large values.
    var rankedEndpoints: [(status: EndpointStatus, health: EndpointHealth)] {
        let health = endpoints.map { EndpointHealth($0) }
        let order = endpoints.indices.filter { i in
            let e = endpoints[i]
            return filter.isEmpty || matches(e.endpoint, e.deployment.model, e.versions.map(\.version.description).joined(separator: " "))
        }.sorted { a, b in
            health[a].verdict != health[b].verdict ? health[a].verdict > health[b].verdict : endpoints[a].endpoint < endpoints[b].endpoint
        }
        return order.map { (endpoints[$0], health[$0]) }
    }

    public var shownWorkers: [WorkerRow] {
        workers.filter { matches($0.info.model.description, $0.info.address, $0.info.state.rawValue) }
    }

    public var shownModels: [ModelSummary] {
        models.filter { matches($0.name, $0.versions.map(\.version.description).joined(separator: " ")) }
    }

    /// Events newest first; in the endpoint view only that endpoint's.
    public var shownEvents: [ControlEvent] {
        let scoped: [ControlEvent]
        if case .endpoint(let name) = view { scoped = events.filter { $0.endpoint == name } } else { scoped = events }
        return scoped.reversed().filter { matches($0.kind.rawValue, $0.endpoint ?? "", $0.actor, $0.message) }
    }

    /// The endpoint the view or the overview selection is about.
    public var focusedEndpoint: EndpointStatus? {
        if case .endpoint(let name) = view { return endpoints.first { $0.endpoint == name } }
        if case .spotCheck(let name) = view { return endpoints.first { $0.endpoint == name } }
        if case .drift(let name) = view { return endpoints.first { $0.endpoint == name } }
        guard view == .overview else { return nil }
        let shown = shownEndpoints
        return shown.indices.contains(selectedEndpoint) ? shown[selectedEndpoint] : nil
    }

    /// The version selected in the endpoint view, in the deployment's order.
    public var focusedVersion: EndpointStatus.VersionStatus? {
        guard let endpoint = focusedEndpoint, endpoint.versions.indices.contains(selectedVersion) else { return nil }
        return endpoint.versions[selectedVersion]
    }

    /// The versions the drift view compares (`EndpointStatus.driftWatchedVersions`).
    public var driftVersions: [EndpointStatus.VersionStatus] {
        focusedEndpoint?.driftWatchedVersions ?? []
    }

    /// One version's drift columns, worst first, narrowed by the `/` filter (name, role, verdict).
    public func driftColumns(of version: EndpointStatus.VersionStatus) -> [DriftColumnReport] {
        DriftTable.ranked(version.drift?.columns ?? []).filter { matches($0.name, $0.role.rawValue, $0.verdict.rawValue) }
    }

    /// The version whose table has the selection in the drift view.
    public var focusedDriftVersion: EndpointStatus.VersionStatus? {
        let versions = driftVersions
        return versions.indices.contains(drift.version) ? versions[drift.version] : nil
    }

    /// The drift column selected (and enlarged with Enter).
    public var focusedDriftColumn: DriftColumnReport? {
        guard let version = focusedDriftVersion else { return nil }
        let columns = driftColumns(of: version)
        return columns.indices.contains(drift.column) ? columns[drift.column] : nil
    }

    /// True when the `/` filter (case-insensitive substring) matches any of the texts.
    func matches(_ texts: String...) -> Bool {
        guard !filter.isEmpty else { return true }
        return texts.contains { $0.localizedCaseInsensitiveContains(filter) }
    }
}
