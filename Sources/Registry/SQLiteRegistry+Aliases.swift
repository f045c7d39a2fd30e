import Foundation
import GRDB
import NightjarCore

extension SQLiteRegistry {
    /// Stages in the MLflow sense: aliases with a promotion rule.
    static let staging = "staging"
    static let production = "production"

    public func setAlias(model: String, alias: String, to version: SemVer, force: Bool, actor: String,
                         reason: String) async throws -> ModelVersionInfo {
        try Self.validateAlias(alias)
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw NightjarError.invalidArgument("reason: moving an alias needs a reason for the audit log")
        }
        let ref = ModelRef(name: model, version: version)
        let now = Date()
        return try await database.write { db in
            guard let target = try Self.fetchVersion(db, ref) else {
                throw NightjarError.notFound("model version \(ref) does not exist")
            }
            let previous = try String.fetchOne(db, sql: "SELECT version FROM aliases WHERE model = ? AND alias = ?",
                                               arguments: [model, alias])
            if !force {
                if alias == Self.production, !target.aliases.contains(Self.staging) {
                    throw NightjarError.conflict(
                        "\(ref) is not at staging: a version reaches production through staging "
                            + "(nightjar alias \(model) staging \(version)), or an admin forces it")
                }
                if alias == Self.staging || alias == Self.production {
                    let failed = target.metadata.failedGates()
                    guard failed.isEmpty else {
                        throw NightjarError.conflict("\(ref) fails its promotion gates: \(failed.joined(separator: "; "))")
                    }
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO aliases (model, alias, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(model, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at,
                        updated_by = excluded.updated_by
                    """,
                arguments: [model, alias, version.description, now, actor])
            let subject = "\(model)/\(alias)"
            try Self.audit(db, at: now, actor: actor, action: force ? "alias.force" : "alias", subject: subject,
                           from: previous, to: version.description, reason: reason)
            _ = try Self.insertEvent(db, at: now, kind: .aliasMoved, endpoint: nil, actor: actor,
                                     message: "\(subject): \(previous ?? "none") → \(version)\(force ? " (forced)" : "") — \(reason)")
            return try Self.fetchVersion(db, ref) ?? target
        }
    }

    public func removeAlias(model: String, alias: String, actor: String, reason: String) async throws {
        let now = Date()
        try await database.write { db in
            guard let previous = try String.fetchOne(db, sql: "SELECT version FROM aliases WHERE model = ? AND alias = ?",
                                                     arguments: [model, alias]) else {
                throw NightjarError.notFound("\(model) has no alias '\(alias)'")
            }
            try db.execute(sql: "DELETE FROM aliases WHERE model = ? AND alias = ?", arguments: [model, alias])
            try Self.audit(db, at: now, actor: actor, action: "alias.remove", subject: "\(model)/\(alias)", from: previous,
                           to: nil, reason: reason)
        }
    }

    public func edit(_ ref: ModelRef, _ edit: VersionEdit, actor: String) async throws -> ModelVersionInfo {
        try await database.write { db in
            guard var info = try Self.fetchVersion(db, ref) else {
                throw NightjarError.notFound("model version \(ref) does not exist")
            }
            let before = try Self.json(["description": info.metadata.description ?? "", "tags": Self.describe(info.metadata.tags)])
            if let description = edit.description { info.metadata.description = description }
            if let tags = edit.tags { info.metadata.tags = tags }
            try db.execute(sql: "UPDATE model_versions SET metadata_json = ? WHERE name = ? AND version = ?",
                           arguments: [try Self.json(info.metadata), ref.name, ref.version.description])
            let after = try Self.json(["description": info.metadata.description ?? "", "tags": Self.describe(info.metadata.tags)])
            try Self.audit(db, at: Date(), actor: actor, action: "version.edit", subject: ref.description, from: before,
                           to: after, reason: edit.reason)
            return info
        }
    }

    public func collectGarbage(minimumAge: TimeInterval) async throws -> [String] {
        // Read the referenced set and delete inside one write transaction: a push commits its row
        // only after its file exists, so a file referenced by a committed row is never removed, and
        // `minimumAge` protects the file of a push that has not committed yet.
        try await database.write { db in
            let referenced = Set(try String.fetchAll(db, sql: "SELECT DISTINCT sha256 FROM model_versions"))
            var removed: [String] = []
            for (sha, age) in self.artifacts.storedDigests() where !referenced.contains(sha) && age >= minimumAge {
                try self.artifacts.remove(sha256: sha)
                removed.append(sha)
            }
            if !removed.isEmpty {
                try Self.audit(db, at: Date(), actor: "nightjar gc", action: "gc", subject: "artifacts",
                               from: "\(removed.count) unreferenced", to: nil, reason: nil)
            }
            return removed.sorted()
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

    static func describe(_ tags: [String: String]) -> String {
        tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
