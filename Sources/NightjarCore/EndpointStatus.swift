import Foundation

/// An endpoint as the console's overview shows it: its split, each version's live numbers as the
/// gateway saw them, and any rollout.
public struct EndpointStatus: Sendable, Codable, Equatable {
    public struct VersionStatus: Sendable, Codable, Equatable {
        public var version: SemVer
        public var weight: Int
        /// Workers of this version that are announcing themselves and not ejected.
        public var readyWorkers: Int
        /// Requests as clients saw them through the gateway; nil before the first one.
        public var stats: StatsSnapshot?
        /// Live inputs and outputs against the version's reference profile (the worst of its
        /// workers); nil when the version has no profile or no report yet.
        public var drift: DriftReport?

        public init(version: SemVer, weight: Int, readyWorkers: Int, stats: StatsSnapshot?, drift: DriftReport? = nil) {
            self.version = version
            self.weight = weight
            self.readyWorkers = readyWorkers
            self.stats = stats
            self.drift = drift
        }
    }

    public var deployment: Deployment
    public var versions: [VersionStatus]
    public var rollout: RolloutStatus?
    /// What mirroring to the deployment's shadow has shown; nil without a shadow or before the first copy.
    public var shadow: ShadowStats?

    public init(deployment: Deployment, versions: [VersionStatus], rollout: RolloutStatus?, shadow: ShadowStats? = nil) {
        self.deployment = deployment
        self.versions = versions
        self.rollout = rollout
        self.shadow = shadow
    }

    public var endpoint: String { deployment.endpoint }
}
