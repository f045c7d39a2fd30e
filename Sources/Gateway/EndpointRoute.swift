import NightjarCore

/// What the gateway needs to route one endpoint: its split and the base URLs of the ready workers
/// of each version. The control plane builds these from deployments and worker heartbeats.
public struct EndpointRoute: Sendable, Equatable {
    public var deployment: Deployment
    /// e.g. `["1.0.0": ["http://127.0.0.1:9001"]]`; a version with weight but no workers answers 503.
    public var workers: [SemVer: [String]]

    public init(deployment: Deployment, workers: [SemVer: [String]]) {
        self.deployment = deployment
        self.workers = workers
    }

    public var endpoint: String { deployment.endpoint }
}
