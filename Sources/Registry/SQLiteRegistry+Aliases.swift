import Foundation
import GRDB
import NightjarCore

extension SQLiteRegistry {
    public func setAlias(model: String, alias: String, to version: SemVer, force: Bool, actor: String,
                         reason: String) async throws -> ModelVersionInfo {
        try RegistryRules.validateAliasChange(alias: alias, reason: reason)
        let ref = ModelRef(name: model, version: version)
        let now = Date()
        return try await database.write { db in
            guard let target = try Self.fetchVersion(db, ref) else {
                throw RegistryRules.missingVersion(ref)
            }
            let previous = try String.fetchOne(db, sql: "SELECT version FROM aliases WHERE model = ? AND alias = ?",
                                               arguments: [model, alias])
            try RegistryRules.requirePromotable(target, to: alias, force: force)
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
                                     message: RegistryRules.aliasMovedMessage(subject: subject, previous: previous, to: version, force: force, reason: reason))
            return try Self.fetchVersion(db, ref) ?? target
        }
    }

    public func removeAlias(model: String, alias: String, actor: String, reason: String) async throws {
        let now = Date()
        try await database.write { db in
            guard let previous = try String.fetchOne(db, sql: "SELECT version FROM aliases WHERE model = ? AND alias = ?",
                                                     arguments: [model, alias]) else {
                throw RegistryRules.aliasNotFound(model: model, alias: alias)
            }
            try db.execute(sql: "DELETE FROM aliases WHERE model = ? AND alias = ?", arguments: [model, alias])
            try Self.audit(db, at: now, actor: actor, action: "alias.remove", subject: "\(model)/\(alias)", from: previous,
                           to: nil, reason: reason)
        }
    }

    public func edit(_ ref: ModelRef, _ edit: VersionEdit, actor: String) async throws -> ModelVersionInfo {
        try await database.write { db in
            guard var info = try Self.fetchVersion(db, ref) else {
                throw RegistryRules.missingVersion(ref)
            }
            let before = try RegistryRules.editAuditValue(info.metadata)
            info.metadata = RegistryRules.applying(edit, to: info.metadata)
            try db.execute(sql: "UPDATE model_versions SET metadata_json = ? WHERE name = ? AND version = ?",
                           arguments: [try RegistryRules.json(info.metadata), ref.name, ref.version.description])
            let after = try RegistryRules.editAuditValue(info.metadata)
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
}
