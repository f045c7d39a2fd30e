import Foundation
import NightjarCore

/// What every `RegistryStore` checks and says, whatever database it writes to: input validation,
/// the immutability, staging and gate rules, and the exact error and event text. Pure functions, so
/// SQLite and PostgreSQL answer an operator with the same words.
enum RegistryRules {
    /// Stages in the MLflow sense: aliases with a promotion rule.
    static let staging = "staging"
    static let production = "production"

    // MARK: versions

    /// ModelRef's memberwise init does not validate, and the name ends up in URLs and file names.
    /// Returns the trimmed actor.
    static func validatePush(_ ref: ModelRef, actor: String) throws -> String {
        try ModelRef.validate(name: ref.name)
        let actor = actor.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !actor.isEmpty else {
            throw NightjarError.invalidArgument("push of \(ref) names no actor: the audit log must say who pushed it")
        }
        return actor
    }

    /// The schema and metadata as stored: JSON text.
    static func encodePushed(_ ref: ModelRef, schema: FeatureSchema?, metadata: VersionMetadata) throws -> (schema: String?, metadata: String) {
        do {
            return (try schema.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }, try json(metadata))
        } catch {
            throw NightjarError.invalidArgument("the schema or metadata of \(ref) cannot be stored as JSON: \(error)")
        }
    }

    /// The same ref is already stored: identical bytes and definition are a harmless repeat, anything else a conflict.
    static func requireSameVersion(_ ref: ModelRef, existing: ModelVersionInfo, sha: String, metadata: VersionMetadata) throws {
        guard existing.sha256 == sha else { throw pushConflict(ref, existing: existing.sha256, pushed: sha) }
        try requireSameDefinition(ref, existing: existing.metadata, pushed: metadata)
    }

    /// Lineage, metrics, gates, framework and converter define a version as much as its bytes do.
    /// (Description and tags are editable, so a repeat may differ there.)
    static func requireSameDefinition(_ ref: ModelRef, existing: VersionMetadata, pushed: VersionMetadata) throws {
        var a = existing, b = pushed
        (a.description, a.tags, b.description, b.tags) = (nil, [:], nil, [:])
        guard a == b else {
            throw NightjarError.conflict(
                "\(ref) already exists with the same bytes but other lineage, metrics or gates; versions are immutable: "
                    + "push a new version (description and tags can be edited with `nightjar edit`)")
        }
    }

    static func pushConflict(_ ref: ModelRef, existing: String, pushed: String) -> NightjarError {
        .conflict("\(ref) already exists with sha256 \(existing); the pushed bytes hash to \(pushed). "
            + "Versions are immutable: push a new version instead")
    }

    /// `known` is every stored version text of `ref.name`, in any order.
    static func versionNotFound(_ ref: ModelRef, known: [String]) -> NightjarError {
        let sorted = known.compactMap { try? SemVer(parsing: $0) }.sorted()
        if sorted.isEmpty {
            return .notFound("no model named '\(ref.name)' in the registry")
        }
        return .notFound(
            "model version \(ref) does not exist; known versions of \(ref.name): \(sorted.map(\.description).joined(separator: ", "))")
    }

    /// Every model, names sorted, versions in semver order. SQL has the numbers right; pre-release
    /// order (rc.2 < rc.10 < release) needs SemVer's rules.
    static func summaries(_ versions: [ModelVersionInfo]) -> [ModelSummary] {
        Dictionary(grouping: versions, by: \.name)
            .map { ModelSummary(name: $0.key, versions: $0.value.sorted { $0.version < $1.version }) }
            .sorted { $0.name < $1.name }
    }

    /// Fills in which aliases point at each version; `aliases` is (model, alias, version text), sorted by alias.
    static func withAliases(_ versions: [ModelVersionInfo], _ aliases: [(model: String, alias: String, version: String)]) throws
        -> [ModelVersionInfo] {
        var byRef: [ModelRef: [String]] = [:]
        for row in aliases {
            let version = try storedSemVer(row.version, name: row.model)
            byRef[ModelRef(name: row.model, version: version), default: []].append(row.alias)
        }
        return versions.map { v in
            var v = v
            v.aliases = byRef[v.ref] ?? []
            return v
        }
    }

    /// A stored version that no longer parses is damage to the database, not bad caller input.
    static func storedSemVer(_ text: String, name: String) throws -> SemVer {
        do {
            return try SemVer(parsing: text)
        } catch {
            throw NightjarError.corrupt("the registry holds version '\(text)' of \(name), which is not semver: \(error)")
        }
    }

    static func decodeSchema(_ text: String?, of ref: String) throws -> FeatureSchema? {
        do {
            return try text.map { try JSONDecoder().decode(FeatureSchema.self, from: Data($0.utf8)) }
        } catch {
            throw NightjarError.corrupt("the stored schema of \(ref) is not valid: \(error)")
        }
    }

    static func validateAuditLimit(_ limit: Int) throws {
        guard limit >= 0 else {
            throw NightjarError.invalidArgument("audit log limit must be 0 or more, got \(limit)")
        }
    }

    // MARK: edits

    /// What an edit's audit row records before and after.
    static func editAuditValue(_ metadata: VersionMetadata) throws -> String {
        try json(["description": metadata.description ?? "", "tags": describe(metadata.tags)])
    }

    static func applying(_ edit: VersionEdit, to metadata: VersionMetadata) -> VersionMetadata {
        var metadata = metadata
        if let description = edit.description { metadata.description = description }
        if let tags = edit.tags { metadata.tags = tags }
        return metadata
    }

    static func describe(_ tags: [String: String]) -> String {
        tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    // MARK: aliases

    static func validateAliasChange(alias: String, reason: String) throws {
        try validateAlias(alias)
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw NightjarError.invalidArgument("reason: moving an alias needs a reason for the audit log")
        }
    }

    static func validateAlias(_ alias: String) throws {
        do { try ModelRef.validate(name: alias) } catch {
            throw NightjarError.invalidArgument("alias '\(alias)' is invalid: use 1 to 128 letters, digits, '-', '_' or '.'")
        }
        guard (try? SemVer(parsing: alias)) == nil else {
            throw NightjarError.invalidArgument("alias '\(alias)' looks like a version; aliases are names such as production")
        }
    }

    /// `production` only through `staging`, and both only with passing gates, unless an admin forces it.
    static func requirePromotable(_ target: ModelVersionInfo, to alias: String, force: Bool) throws {
        guard !force else { return }
        let ref = target.ref
        if alias == production, !target.aliases.contains(staging) {
            throw NightjarError.conflict(
                "\(ref) is not at staging: a version reaches production through staging "
                    + "(nightjar alias \(ref.name) staging \(ref.version)), or an admin forces it (--force; `force` in the API)")
        }
        if alias == staging || alias == production {
            let failed = target.metadata.failedGates()
            guard failed.isEmpty else {
                throw NightjarError.conflict("\(ref) fails its promotion gates: \(failed.joined(separator: "; "))")
            }
        }
    }

    static func aliasNotFound(model: String, alias: String) -> NightjarError {
        .notFound("\(model) has no alias '\(alias)'")
    }

    static func aliasMovedMessage(subject: String, previous: String?, to version: SemVer, force: Bool, reason: String) -> String {
        "\(subject): \(previous ?? "none") → \(version)\(force ? " (forced)" : "") — \(reason)"
    }

    static func missingVersion(_ ref: ModelRef) -> NightjarError {
        .notFound("model version \(ref) does not exist")
    }

    // MARK: deployments

    /// Checks what needs no database. Returns the trimmed actor.
    static func validate(_ change: EndpointChange) throws -> String {
        try Deployment.validate(endpoint: change.endpoint)
        let actor = change.actor.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !actor.isEmpty else {
            throw NightjarError.invalidArgument("a change to \(change.endpoint) names no actor: the audit log must say who made it")
        }
        if let weights = change.weights { try Deployment.validate(weights: weights) }
        return actor
    }

    /// The routing settings the change leaves, checked against the split it leaves.
    static func resultingRouting(_ change: EndpointChange, current: Deployment?, weights: [TrafficWeight]) throws -> DeploymentRouting {
        let routing = change.routing ?? current?.routing ?? DeploymentRouting()
        try routing.validate(weights: weights)
        return routing
    }

    /// A stale `expectedRevision` is refused, naming who changed what meanwhile.
    static func requireExpectedRevision(_ change: EndpointChange, current: Deployment?) throws {
        if let expected = change.expectedRevision, let current, current.revision != expected {
            throw NightjarError.conflict(
                "\(change.endpoint) changed since you looked: you edited revision \(expected), it is now revision "
                    + "\(current.revision) (\(current.splitDescription), by \(current.updatedBy)); reload and try again")
        }
    }

    /// The split the change leaves: its own, or the current one; none at all means there is no such endpoint.
    static func resultingWeights(_ change: EndpointChange, current: Deployment?) throws -> [TrafficWeight] {
        guard let weights = change.weights ?? current?.weights else {
            throw NightjarError.notFound("no endpoint named '\(change.endpoint)'; create it by setting its traffic first")
        }
        return weights
    }

    /// `known` is every stored version text of `model`.
    static func unknownWeightVersion(model: String, version: SemVer, known: [String], field: String = "weights") -> NightjarError {
        .notFound(
            "\(field): \(model)@\(version) does not exist"
                + (known.isEmpty ? "; there is no model named '\(model)'" : "; known versions: \(known.joined(separator: ", "))"))
    }

    static func endpointNotFound(_ endpoint: String, known: [String]) -> NightjarError {
        .notFound("no endpoint named '\(endpoint)'"
            + (known.isEmpty ? "; none exists yet" : "; endpoints: \(known.joined(separator: ", "))"))
    }

    /// The event's line: the change's own message, or the split change and any routing change, with the reason.
    static func eventMessage(_ change: EndpointChange, from previous: Deployment?, to updated: Deployment) -> String {
        var message = change.message ?? {
            let before = previous?.routing ?? DeploymentRouting()
            let split = TrafficWeight.describeChange(from: previous?.weights ?? [], to: updated.weights)
            guard before != updated.routing else { return "\(change.endpoint): \(split)" }
            let routing = "routing \(before.isEmpty ? "none" : before.summary) → \(updated.routing.isEmpty ? "none" : updated.routing.summary)"
            let splitChanged = (previous?.weights ?? []) != updated.weights
            return "\(change.endpoint): " + (splitChanged ? "\(split); \(routing)" : routing)
        }()
        if let reason = change.reason, !reason.isEmpty { message += " — \(reason)" }
        return message
    }

    /// A rollout can only start where none is running.
    static func requireNoRunningRollout(_ endpoint: String, latest: RolloutStatus?) throws {
        if let running = latest, !running.state.isFinished {
            throw NightjarError.conflict(
                "\(endpoint) already has a rollout to \(running.candidate) (\(running.state.rawValue)); promote, abort or roll it back first")
        }
    }

    static func noRollout(_ endpoint: String) -> NightjarError {
        .notFound("\(endpoint) has no rollout")
    }

    static func validateEventLimit(_ limit: Int) throws {
        guard (1...10_000).contains(limit) else {
            throw NightjarError.invalidArgument("limit must be between 1 and 10000, got \(limit)")
        }
    }

    static func eventKind(_ text: String, row: String) throws -> ControlEvent.Kind {
        guard let kind = ControlEvent.Kind(rawValue: text) else {
            throw NightjarError.corrupt("events row \(row) has unknown kind '\(text)'")
        }
        return kind
    }

    // MARK: tokens

    static func validateTokenName(_ name: String) throws {
        do { try ModelRef.validate(name: name) } catch {
            throw NightjarError.invalidArgument("token name '\(name)' is invalid: use 1 to 128 letters, digits, '-', '_' or '.'")
        }
    }

    static func tokenExists(_ name: String) -> NightjarError {
        .conflict("a token named '\(name)' already exists; revoke it first or pick another name")
    }

    static func tokenNotFound(_ name: String) -> NightjarError {
        .notFound("no token named '\(name)'")
    }

    static func tokenRole(_ text: String) throws -> AccessRole {
        guard let role = AccessRole(rawValue: text) else {
            throw NightjarError.corrupt("token row has unknown role '\(text)'")
        }
        return role
    }

    // MARK: JSON documents

    static let jsonEncoder: JSONEncoder = {
        let e = JSONEncoder()
        // Milliseconds, not ISO 8601 seconds: a rollout's step timing must survive a restart intact.
        e.dateEncodingStrategy = .millisecondsSince1970
        e.outputFormatting = .sortedKeys
        return e
    }()

    static let jsonDecoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .millisecondsSince1970
        return d
    }()

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try jsonEncoder.encode(value), as: UTF8.self)
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String, what: String) throws -> T {
        do {
            return try jsonDecoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw NightjarError.corrupt("the stored \(what) is not valid: \(error)")
        }
    }
}
