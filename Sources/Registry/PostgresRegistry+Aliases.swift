import Foundation
import NightjarCore
import PostgresNIO

extension PostgresRegistry {
    public func setAlias(model: String, alias: String, to version: SemVer, force: Bool, actor: String,
                         reason: String) async throws -> ModelVersionInfo {
        try RegistryRules.validateAliasChange(alias: alias, reason: reason)
        let ref = ModelRef(name: model, version: version)
        let now = Self.storedNow()
        return try await transaction { conn in
            // The staging rule reads one alias to move another: locking the model serialises every
            // alias change of that model across replicas, so two promotions cannot both pass on stale reads
            // (NO KEY UPDATE: pushes and new endpoints referencing the model are not held up).
            try await conn.query("SELECT name FROM models WHERE name = \(model) FOR NO KEY UPDATE", logger: self.logger)
            guard let target = try await self.fetchVersion(conn, ref) else {
                throw RegistryRules.missingVersion(ref)
            }
            let previous = try await self.aliasTarget(conn, model: model, alias: alias)
            try RegistryRules.requirePromotable(target, to: alias, force: force)
            try await conn.query("""
                INSERT INTO aliases (model, alias, version, updated_at, updated_by)
                VALUES (\(model), \(alias), \(version.description), \(now), \(actor))
                ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at,
                    updated_by = excluded.updated_by
                """, logger: self.logger)
            let subject = "\(model)/\(alias)"
            try await self.audit(conn, at: now, actor: actor, action: force ? "alias.force" : "alias", subject: subject,
                                 from: previous, to: version.description, reason: reason)
            _ = try await self.insertEvent(conn, at: now, kind: .aliasMoved, endpoint: nil, actor: actor,
                                           message: RegistryRules.aliasMovedMessage(subject: subject, previous: previous, to: version,
                                                                                    force: force, reason: reason))
            return try await self.fetchVersion(conn, ref) ?? target
        }
    }

    public func removeAlias(model: String, alias: String, actor: String, reason: String) async throws {
        let now = Self.storedNow()
        try await transaction { conn in
            try await conn.query("SELECT name FROM models WHERE name = \(model) FOR NO KEY UPDATE", logger: self.logger)
            guard let previous = try await self.aliasTarget(conn, model: model, alias: alias) else {
                throw RegistryRules.aliasNotFound(model: model, alias: alias)
            }
            try await conn.query("DELETE FROM aliases WHERE model = \(model) AND alias = \(alias)", logger: self.logger)
            try await self.audit(conn, at: now, actor: actor, action: "alias.remove", subject: "\(model)/\(alias)", from: previous,
                                 to: nil, reason: reason)
        }
    }

    public func edit(_ ref: ModelRef, _ edit: VersionEdit, actor: String) async throws -> ModelVersionInfo {
        let now = Self.storedNow()
        return try await transaction { conn in
            // Locks the version row so two edits on two replicas apply one after the other, each audited
            // with the value it really replaced.
            try await conn.query("""
                SELECT id FROM model_versions WHERE name = \(ref.name) AND version = \(ref.version.description) FOR UPDATE
                """, logger: self.logger)
            guard var info = try await self.fetchVersion(conn, ref) else {
                throw RegistryRules.missingVersion(ref)
            }
            let before = try RegistryRules.editAuditValue(info.metadata)
            info.metadata = RegistryRules.applying(edit, to: info.metadata)
            let metadataJSON = try RegistryRules.json(info.metadata)
            try await conn.query("""
                UPDATE model_versions SET metadata_json = \(metadataJSON) WHERE name = \(ref.name) AND version = \(ref.version.description)
                """, logger: self.logger)
            let after = try RegistryRules.editAuditValue(info.metadata)
            try await self.audit(conn, at: now, actor: actor, action: "version.edit", subject: ref.description, from: before,
                                 to: after, reason: edit.reason)
            return info
        }
    }

    public func collectGarbage(minimumAge: TimeInterval) async throws -> [String] {
        // Exclusive with pushes (which hold the lock shared from writing their file until their row
        // commits), so a file is never removed between a push writing it and its row referencing it.
        try await transaction { conn in
            try await conn.query("SELECT pg_advisory_xact_lock(\(Self.garbageCollectionLock))", logger: self.logger)
            let referenced = Set(try await conn.query("SELECT DISTINCT sha256 FROM model_versions", logger: self.logger)
                .collect().map { try $0.decode(String.self) })
            var removed: [String] = []
            for (sha, age) in self.artifacts.storedDigests() where !referenced.contains(sha) && age >= minimumAge {
                try self.artifacts.remove(sha256: sha)
                removed.append(sha)
            }
            if !removed.isEmpty {
                try await self.audit(conn, at: Self.storedNow(), actor: "nightjar gc", action: "gc", subject: "artifacts",
                                     from: "\(removed.count) unreferenced", to: nil, reason: nil)
            }
            return removed.sorted()
        }
    }

    func aliasTarget(_ conn: PostgresConnection, model: String, alias: String) async throws -> String? {
        try await conn.query("SELECT version FROM aliases WHERE model = \(model) AND alias = \(alias)", logger: logger)
            .collect().first.map { try $0.decode(String.self) }
    }
}
