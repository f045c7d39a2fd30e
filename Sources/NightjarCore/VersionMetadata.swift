import Foundation

/// What a push says about a version beyond its bytes: where it came from, how it scored, and what it
/// must score to be promoted. Lineage, metrics and gates define the version and never change;
/// description and tags may be edited (audited).
public struct VersionMetadata: Sendable, Codable, Equatable {
    public var description: String?
    /// e.g. "scikit-learn 1.9.1"; converter e.g. "skl2onnx 1.20.0".
    public var framework: String?
    public var converter: String?
    public var tags: [String: String]
    /// Offline evaluation, e.g. ["auc": 0.91].
    public var metrics: [String: Double]
    public var parent: ModelRef?
    public var dataset: String?
    public var gitCommit: String?
    /// Conditions on `metrics` that promotion to staging or production checks.
    public var gates: [MetricGate]

    public init(description: String? = nil, framework: String? = nil, converter: String? = nil, tags: [String: String] = [:],
                metrics: [String: Double] = [:], parent: ModelRef? = nil, dataset: String? = nil, gitCommit: String? = nil,
                gates: [MetricGate] = []) {
        self.description = description
        self.framework = framework
        self.converter = converter
        self.tags = tags
        self.metrics = metrics
        self.parent = parent
        self.dataset = dataset
        self.gitCommit = gitCommit
        self.gates = gates
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        framework = try c.decodeIfPresent(String.self, forKey: .framework)
        converter = try c.decodeIfPresent(String.self, forKey: .converter)
        tags = try c.decodeIfPresent([String: String].self, forKey: .tags) ?? [:]
        metrics = try c.decodeIfPresent([String: Double].self, forKey: .metrics) ?? [:]
        parent = try c.decodeIfPresent(ModelRef.self, forKey: .parent)
        dataset = try c.decodeIfPresent(String.self, forKey: .dataset)
        gitCommit = try c.decodeIfPresent(String.self, forKey: .gitCommit)
        gates = try c.decodeIfPresent([MetricGate].self, forKey: .gates) ?? []
    }

    /// The gates this version's own metrics fail, each described ("auc 0.87 < 0.90", "auc missing").
    public func failedGates() -> [String] {
        gates.compactMap { gate in
            guard let value = metrics[gate.metric] else { return "\(gate.metric) is not among the version's metrics" }
            return gate.holds(for: value) ? nil : "\(gate.metric) \(value) does not satisfy \(gate)"
        }
    }
}

/// `auc>=0.90`: a condition on one offline metric.
public struct MetricGate: Sendable, Codable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable, Codable, CaseIterable {
        case atLeast = ">=", atMost = "<=", greaterThan = ">", lessThan = "<"
    }

    public var metric: String
    public var comparison: Comparison
    public var value: Double

    public init(metric: String, comparison: Comparison, value: Double) {
        self.metric = metric
        self.comparison = comparison
        self.value = value
    }

    /// Parses `auc>=0.90`, `latency_ms<20`.
    public init(parsing text: String) throws(NightjarError) {
        // Two-character operators first, so ">=" is not read as ">".
        for comparison in [Comparison.atLeast, .atMost, .greaterThan, .lessThan] {
            guard let range = text.range(of: comparison.rawValue) else { continue }
            let metric = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            let number = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
            guard !metric.isEmpty, let value = Double(number), value.isFinite else { break }
            self.init(metric: metric, comparison: comparison, value: value)
            return
        }
        throw .invalidArgument("gate '\(text)' must be METRIC>=NUMBER (or <=, >, <), e.g. auc>=0.90")
    }

    public func holds(for measured: Double) -> Bool {
        switch comparison {
        case .atLeast: measured >= value
        case .atMost: measured <= value
        case .greaterThan: measured > value
        case .lessThan: measured < value
        }
    }

    public var description: String { "\(metric)\(comparison.rawValue)\(value)" }
}

/// The `Nightjar-Metadata` header of a push: `VersionMetadata` as base64 JSON.
public enum MetadataHeader {
    public static let name = "Nightjar-Metadata"

    public static func encode(_ metadata: VersionMetadata) throws -> String {
        try JSONEncoder().encode(metadata).base64EncodedString()
    }

    public static func decode(_ value: String) throws(NightjarError) -> VersionMetadata {
        guard let data = Data(base64Encoded: value) else {
            throw .invalidArgument("\(name) header is not base64")
        }
        return try SchemaHeader.decodeStrictly(VersionMetadata.self, from: data, header: name, what: "valid version metadata")
    }
}

/// `PUT /api/v1/models/{name}/aliases/{alias}`: point an alias at a version.
public struct AliasChange: Sendable, Codable, Equatable {
    public var version: SemVer
    public var reason: String
    /// Skip the staging-before-production rule and the metric gates; admins only.
    public var force: Bool?

    public init(version: SemVer, reason: String, force: Bool? = nil) {
        self.version = version
        self.reason = reason
        self.force = force
    }
}

/// `PATCH /api/v1/models/{name}/versions/{version}`: the fields of a version that may change.
public struct VersionEdit: Sendable, Codable, Equatable {
    public var description: String?
    /// Replaces the tags when given.
    public var tags: [String: String]?
    public var reason: String?

    public init(description: String? = nil, tags: [String: String]? = nil, reason: String? = nil) {
        self.description = description
        self.tags = tags
        self.reason = reason
    }
}
