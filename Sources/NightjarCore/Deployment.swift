import Foundation

/// One version's share of an endpoint's traffic, in whole percent.
public struct TrafficWeight: Sendable, Codable, Hashable {
    public var version: SemVer
    public var weight: Int

    public init(version: SemVer, weight: Int) {
        self.version = version
        self.weight = weight
    }
}

/// Which versions of a model serve an endpoint, and with what share of its traffic.
///
/// `revision` grows by one with every change; a change names the revision it was made against, so a
/// stale change (another operator moved traffic meanwhile) is refused rather than silently undone.
public struct Deployment: Sendable, Codable, Equatable {
    /// The name clients call: `POST /v2/models/{endpoint}/infer`.
    public var endpoint: String
    /// The registry model whose versions serve it.
    public var model: String
    /// Versions with a weight, weights adding up to 100. A weight of 0 keeps a version listed
    /// (still warm, still watched) without traffic.
    public var weights: [TrafficWeight]
    /// Shadow, header rules and sticky key; empty unless an operator (or a rollout) set them.
    public var routing: DeploymentRouting
    public var revision: Int
    public var updatedAt: Date
    public var updatedBy: String
    public var reason: String?

    public init(endpoint: String, model: String, weights: [TrafficWeight], routing: DeploymentRouting = DeploymentRouting(),
                revision: Int, updatedAt: Date, updatedBy: String, reason: String? = nil) {
        self.endpoint = endpoint
        self.model = model
        self.weights = weights
        self.routing = routing
        self.revision = revision
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.reason = reason
    }

    /// Answers of servers older than routing settings have no `routing`: they had none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        endpoint = try c.decode(String.self, forKey: .endpoint)
        model = try c.decode(String.self, forKey: .model)
        weights = try c.decode([TrafficWeight].self, forKey: .weights)
        routing = try c.decodeIfPresent(DeploymentRouting.self, forKey: .routing) ?? DeploymentRouting()
        revision = try c.decode(Int.self, forKey: .revision)
        updatedAt = try c.decode(Date.self, forKey: .updatedAt)
        updatedBy = try c.decode(String.self, forKey: .updatedBy)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
    }

    public func weight(of version: SemVer) -> Int {
        weights.first { $0.version == version }?.weight ?? 0
    }

    /// The version carrying the most traffic (the older one on a tie): what "stable" means when no
    /// rollout says otherwise.
    public var primary: SemVer? {
        weights.max { a, b in a.weight != b.weight ? a.weight < b.weight : a.version > b.version }?.version
    }

    /// Where a rollback without a named version sends all traffic: a running rollout's stable version;
    /// otherwise the oldest version still carrying traffic, or, when only one carries it, the oldest
    /// version listed (a promoted candidate rolls back to the version it replaced). Nil when there
    /// is nothing older to go back to.
    public func rollbackTarget(rollout: RolloutStatus?) -> SemVer? {
        if let rollout, !rollout.state.isFinished { return rollout.stable }
        let serving = weights.filter { $0.weight > 0 }.map(\.version).sorted()
        let target = serving.count > 1 ? serving.first : weights.map(\.version).min()
        return target.flatMap { weight(of: $0) == 100 ? nil : $0 }
    }

    /// "1.0.0 80% · 1.1.0 20%", how the CLI, the audit log and the console write a split.
    public var splitDescription: String { TrafficWeight.describe(weights) }

    /// The split and any routing settings, "1.0.0 100% · shadow 1.1.0 10%": what an audit row records.
    public var settingsDescription: String {
        routing.isEmpty ? splitDescription : "\(splitDescription) · \(routing.summary)"
    }

    /// Checks a proposed split: at least one version, no version twice, weights 0...100 adding up to 100.
    public static func validate(weights: [TrafficWeight]) throws(NightjarError) {
        guard !weights.isEmpty else {
            throw .invalidArgument("weights: a deployment needs at least one version")
        }
        var seen = Set<SemVer>()
        for w in weights {
            guard seen.insert(w.version).inserted else {
                throw .invalidArgument("weights: version \(w.version) is listed twice")
            }
            guard (0...100).contains(w.weight) else {
                throw .invalidArgument("weights: \(w.version) has weight \(w.weight); weights are whole percents from 0 to 100")
            }
        }
        let total = weights.reduce(0) { $0 + $1.weight }
        guard total == 100 else {
            throw .invalidArgument("weights: \(TrafficWeight.describe(weights)) add up to \(total)%, not 100%")
        }
    }

    /// Endpoint names go into URLs, like model names.
    public static func validate(endpoint: String) throws(NightjarError) {
        do { try ModelRef.validate(name: endpoint) } catch {
            throw .invalidArgument("endpoint name '\(endpoint)' is invalid: use 1 to 128 letters, digits, '-', '_' or '.'")
        }
    }
}

extension TrafficWeight {
    public static func describe(_ weights: [TrafficWeight]) -> String {
        weights.map { "\($0.version) \($0.weight)%" }.joined(separator: " · ")
    }

    /// "1.1.0 20% → 0%, 1.0.0 80% → 100%": every version whose weight changes, the one losing
    /// traffic first. What a confirmation, an audit row and an event say about a shift.
    public static func describeChange(from old: [TrafficWeight], to new: [TrafficWeight]) -> String {
        let versions = Set(old.map(\.version)).union(new.map(\.version))
        func weight(_ list: [TrafficWeight], _ v: SemVer) -> Int { list.first { $0.version == v }?.weight ?? 0 }
        let changes = versions.compactMap { v -> (SemVer, Int, Int)? in
            let (a, b) = (weight(old, v), weight(new, v))
            return a == b ? nil : (v, a, b)
        }.sorted { ($0.2 - $0.1, $0.0) < ($1.2 - $1.1, $1.0) }
        guard !changes.isEmpty else { return "no change (\(describe(new)))" }
        return changes.map { "\($0.0) \($0.1)% → \($0.2)%" }.joined(separator: ", ")
    }
}

/// `PUT /api/v1/endpoints/{endpoint}`: create an endpoint or set its split.
public struct TrafficChange: Sendable, Codable, Equatable {
    /// The model whose versions serve the endpoint; needed only when creating it (defaults to the endpoint name).
    public var model: String?
    public var weights: [TrafficWeight]
    /// Why; stored in the audit log.
    public var reason: String
    /// The revision this change was made against; a different current revision answers 409.
    /// Omit to apply whatever the current revision is.
    public var revision: Int?
    /// Give traffic to a version with no ready worker (its requests will fail until one is up).
    public var allowCold: Bool?
    /// Replaces the endpoint's routing settings whole (`{}` clears them); omitted, they stay as they are.
    public var routing: DeploymentRouting?

    public init(model: String? = nil, weights: [TrafficWeight], reason: String, revision: Int? = nil, allowCold: Bool? = nil,
                routing: DeploymentRouting? = nil) {
        self.model = model
        self.weights = weights
        self.reason = reason
        self.revision = revision
        self.allowCold = allowCold
        self.routing = routing
    }
}

/// `POST /api/v1/endpoints/{endpoint}/rollback`: all traffic back to one version.
public struct RollbackRequest: Sendable, Codable, Equatable {
    /// The version to send 100% to; when nil, the deployment's stable version (a rollout's stable, or
    /// the version that had the most traffic before the last change).
    public var to: SemVer?
    public var reason: String
    /// The revision the rollback was decided against (the console's confirmation); a different
    /// current revision answers 409, as for a traffic change. Omit to roll back whatever is current.
    public var revision: Int?

    public init(to: SemVer? = nil, reason: String, revision: Int? = nil) {
        self.to = to
        self.reason = reason
        self.revision = revision
    }
}
