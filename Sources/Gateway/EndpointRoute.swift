import NightjarCore

/// What the gateway needs to route one endpoint: its split and the base URLs of the ready workers
/// of each version. The control plane builds these from deployments and worker heartbeats.
public struct EndpointRoute: Sendable, Equatable {
    public var deployment: Deployment
    /// e.g. `["1.0.0": ["http://127.0.0.1:9001"]]`; a version with weight but no workers answers 503.
    public var workers: [SemVer: [String]]
    /// A version mirrored a share of the traffic, off the response path; its workers are in `workers` too.
    public var shadow: ShadowRoute?

    public init(deployment: Deployment, workers: [SemVer: [String]], shadow: ShadowRoute? = nil) {
        self.deployment = deployment
        self.workers = workers
        self.shadow = shadow
    }

    /// The route a deployment asks for: workers for every version its split and routing settings
    /// name, and its shadow, if it has one, mirrored at its percentage.
    public init(deployment: Deployment, workersOf: (SemVer) -> [String]) {
        let versions = deployment.weights.map(\.version) + deployment.routing.versions
        var workers: [SemVer: [String]] = [:]
        for version in versions { workers[version] = workersOf(version) }
        self.init(deployment: deployment, workers: workers,
                  shadow: deployment.routing.shadow.map { ShadowRoute(version: $0.version, percent: $0.mirrorPercent) })
    }

    public var endpoint: String { deployment.endpoint }
}
