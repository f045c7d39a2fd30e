import Foundation
import GRDB
import NightjarCore

/// The registry in one SQLite file (`home/registry.sqlite`, WAL mode) with artifacts beside it
/// (`home/artifacts`).
///
/// Writes go through one `DatabasePool`, which serialises them inside this process; the
/// UNIQUE(name, version) constraint is what keeps two processes (or a future second writer) from
/// both creating the same version.
public final class SQLiteRegistry: RegistryStore {
    let database: DatabasePool
    let artifacts: ArtifactStore
    public let home: URL

    public init(home: URL) throws {
        self.home = home
        let fm = FileManager.default
        let artifactRoot = home.appendingPathComponent("artifacts")
        do {
            try fm.createDirectory(at: artifactRoot, withIntermediateDirectories: true)
        } catch {
            throw NightjarError.invalidArgument(
                "cannot create the Nightjar home \(home.path) (with artifacts/ inside): \(error.localizedDescription); "
                    + "point NIGHTJAR_HOME at a writable folder")
        }
        let file = home.appendingPathComponent("registry.sqlite")
        var config = Configuration()
        // Another process (a CLI next to the server) may hold the write lock briefly; waiting beats
        // failing a push with "database is locked".
        config.busyMode = .timeout(10)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: file.path, configuration: config)
            let migrator = Self.migrator
            // A database written by a newer build has tables this one does not know; writing to it
            // could break the newer build's invariants.
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                throw NightjarError.corrupt(
                    "the registry database \(file.path) was written by a newer Nightjar; run that version or a newer one")
            }
            try migrator.migrate(pool)
        } catch let error as NightjarError {
            throw error
        } catch {
            throw NightjarError.corrupt(
                "cannot open the registry database \(file.path): \(error); if it is not a Nightjar registry, move it aside")
        }
        database = pool
        artifacts = ArtifactStore(root: artifactRoot)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        // A `models` table for what belongs to a name rather than a version (aliases will hang off it),
        // and numeric semver columns so SQL can find e.g. the newest 1.x without parsing text.
        m.registerMigration("v1") { db in
            try db.create(table: "models") { t in
                t.primaryKey("name", .text)
                t.column("created_at", .datetime).notNull()
                t.column("created_by", .text).notNull()
            }
            try db.create(table: "model_versions") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().references("models", onDelete: .restrict)
                t.column("version", .text).notNull()
                t.column("major", .integer).notNull()
                t.column("minor", .integer).notNull()
                t.column("patch", .integer).notNull()
                // Empty for a release. Text order is not semver order here; Swift does the final sort.
                t.column("pre_release", .text).notNull()
                t.column("sha256", .text).notNull().indexed()
                t.column("size_bytes", .integer).notNull()
                t.column("schema_json", .text)
                t.column("created_at", .datetime).notNull()
                t.column("created_by", .text).notNull()
                t.uniqueKey(["name", "version"])
            }
            try db.create(table: "audit_log") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .datetime).notNull()
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull()
                t.column("subject", .text).notNull()
                t.column("from_value", .text)
                t.column("to_value", .text)
                t.column("reason", .text)
            }
        }
        // Endpoints and what moves them. Splits and rollouts are stored as JSON documents because they
        // are always read and written whole; the revision column is what optimistic concurrency checks.
        m.registerMigration("v2-deployments") { db in
            try db.create(table: "deployments") { t in
                t.primaryKey("endpoint", .text)
                t.column("model", .text).notNull().references("models", onDelete: .restrict)
                t.column("weights_json", .text).notNull()
                t.column("revision", .integer).notNull()
                t.column("updated_at", .datetime).notNull()
                t.column("updated_by", .text).notNull()
                t.column("reason", .text)
            }
            try db.create(table: "rollouts") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("endpoint", .text).notNull().references("deployments", onDelete: .cascade).indexed()
                t.column("state", .text).notNull()
                t.column("status_json", .text).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(table: "events") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .datetime).notNull()
                t.column("kind", .text).notNull()
                t.column("endpoint", .text)
                t.column("actor", .text).notNull()
                t.column("message", .text).notNull()
            }
        }
        m.registerMigration("v3-tokens") { db in
            try db.create(table: "tokens") { t in
                t.primaryKey("name", .text)
                t.column("role", .text).notNull()
                t.column("secret_sha256", .text).notNull().unique()
                t.column("created_at", .datetime).notNull()
                t.column("created_by", .text).notNull()
            }
        }
        m.registerMigration("v4-metadata-aliases") { db in
            try db.alter(table: "model_versions") { t in t.add(column: "metadata_json", .text) }
            try db.create(table: "aliases") { t in
                t.column("model", .text).notNull().references("models", onDelete: .restrict)
                t.column("alias", .text).notNull()
                t.column("version", .text).notNull()
                t.column("updated_at", .datetime).notNull()
                t.column("updated_by", .text).notNull()
                t.primaryKey(["model", "alias"])
            }
        }
        m.registerMigration("v5-reference-profiles") { db in
            try db.alter(table: "model_versions") { t in t.add(column: "reference_json", .text) }
        }
        // Shadow, header rules and sticky key, read and written whole with the split; existing
        // endpoints get none.
        m.registerMigration("v6-deployment-routing") { db in
            try db.alter(table: "deployments") { t in t.add(column: "routing_json", .text).notNull().defaults(to: "{}") }
        }
        return m
    }

    public func push(_ ref: ModelRef, artifact: Data, schema: FeatureSchema?, metadata: VersionMetadata,
                     actor: String) async throws -> PushResult {
        let actor = try RegistryRules.validatePush(ref, actor: actor)
        let sha = sha256Hex(artifact)
        let (schemaJSON, metadataJSON) = try RegistryRules.encodePushed(ref, schema: schema, metadata: metadata)

        // Answer a repeat or a conflict before touching the disk, so a refused push leaves no file.
        if let existing = try await database.read({ try Self.fetchVersion($0, ref) }) {
            return try repeatedPush(ref, existing: existing, artifact: artifact, sha: sha, metadata: metadata)
        }

        // The file goes first: a version row must never point at an artifact that is not on disk.
        // If the row then loses a race, the file stays as an unreferenced blob, which is harmless.
        _ = try artifacts.write(artifact, sha256: sha)
        let now = Date()
        do {
            return try await database.write { db -> PushResult in
                // Checked again inside the transaction: another push may have won since the read above.
                if let existing = try Self.fetchVersion(db, ref) {
                    try RegistryRules.requireSameVersion(ref, existing: existing, sha: sha, metadata: metadata)
                    return PushResult(version: existing, created: false)
                }
                try db.execute(
                    sql: "INSERT OR IGNORE INTO models (name, created_at, created_by) VALUES (?, ?, ?)",
                    arguments: [ref.name, now, actor])
                let v = ref.version
                try db.execute(
                    sql: """
                        INSERT INTO model_versions (name, version, major, minor, patch, pre_release, sha256, size_bytes,
                                                    schema_json, metadata_json, created_at, created_by)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [ref.name, v.description, v.major, v.minor, v.patch, v.preRelease.joined(separator: "."),
                                sha, artifact.count, schemaJSON, metadataJSON, now, actor])
                try Self.audit(db, at: now, actor: actor, action: "push", subject: ref.description, from: nil, to: sha, reason: nil)
                // Read back rather than echo `now`: the stored date has millisecond precision, and the
                // push answer must equal what `version(_:)` answers later.
                guard let stored = try Self.fetchVersion(db, ref) else {
                    throw NightjarError.corrupt("\(ref) was inserted but cannot be read back from \(self.databasePath)")
                }
                return PushResult(version: stored, created: true)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            // Another writer (another process on the same file) inserted the same ref between our
            // check and our insert. Its row is the truth; answer as if we had arrived second.
            guard let existing = try await database.read({ try Self.fetchVersion($0, ref) }) else { throw error }
            return try repeatedPush(ref, existing: existing, artifact: artifact, sha: sha, metadata: metadata)
        }
    }

    public func models() async throws -> [ModelSummary] {
        let versions = try await database.read { db in
            try Self.withAliases(db, Row.fetchAll(db, sql: "SELECT * FROM model_versions ORDER BY name, major, minor, patch")
                .map(Self.versionInfo))
        }
        return RegistryRules.summaries(versions)
    }

    public func version(_ ref: ModelRef) async throws -> ModelVersionInfo {
        try await database.read { db in
            if let info = try Self.fetchVersion(db, ref) { return info }
            let known = try String.fetchAll(db, sql: "SELECT version FROM model_versions WHERE name = ?", arguments: [ref.name])
            throw RegistryRules.versionNotFound(ref, known: known)
        }
    }

    public func artifact(_ ref: ModelRef) async throws -> Data {
        let info = try await version(ref)
        return try artifacts.read(sha256: info.sha256)
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        // SQLite reads a negative LIMIT as "no limit", which is never what a caller meant.
        try RegistryRules.validateAuditLimit(limit)
        return try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                do {
                    return AuditEntry(
                        id: try row.decode(forColumn: "id"), at: try row.decode(forColumn: "at"),
                        actor: try row.decode(forColumn: "actor"), action: try row.decode(forColumn: "action"),
                        subject: try row.decode(forColumn: "subject"), from: try row.decode(forColumn: "from_value"),
                        to: try row.decode(forColumn: "to_value"), reason: try row.decode(forColumn: "reason"))
                } catch {
                    throw NightjarError.corrupt("audit row \(Self.rowID(row)) in \(self.databasePath) is unreadable: \(error)")
                }
            }
        }
    }

    var databasePath: String { home.appendingPathComponent("registry.sqlite").path }

    /// The same ref is already stored: identical bytes are a harmless repeat, other bytes a conflict.
    private func repeatedPush(_ ref: ModelRef, existing: ModelVersionInfo, artifact: Data, sha: String,
                              metadata: VersionMetadata) throws -> PushResult {
        try RegistryRules.requireSameVersion(ref, existing: existing, sha: sha, metadata: metadata)
        // Rewrites the file only if it went missing or bad; a no-op (one read) otherwise.
        _ = try artifacts.write(artifact, sha256: sha)
        return PushResult(version: existing, created: false)
    }

    static func fetchVersion(_ db: Database, _ ref: ModelRef) throws -> ModelVersionInfo? {
        try Row.fetchOne(db, sql: "SELECT * FROM model_versions WHERE name = ? AND version = ?",
                         arguments: [ref.name, ref.version.description]).map(versionInfo).map { try withAliases(db, [$0])[0] }
    }

    /// Fills in which aliases point at each version.
    static func withAliases(_ db: Database, _ versions: [ModelVersionInfo]) throws -> [ModelVersionInfo] {
        let aliases = try Row.fetchAll(db, sql: "SELECT model, alias, version FROM aliases ORDER BY alias").map { row in
            (model: try row.decode(forColumn: "model") as String, alias: try row.decode(forColumn: "alias") as String,
             version: try row.decode(forColumn: "version") as String)
        }
        return try RegistryRules.withAliases(versions, aliases)
    }

    static func versionInfo(_ row: Row) throws -> ModelVersionInfo {
        do {
            let name: String = try row.decode(forColumn: "name")
            let version = try RegistryRules.storedSemVer(try row.decode(forColumn: "version"), name: name)
            let schema = try RegistryRules.decodeSchema(try row.decode(forColumn: "schema_json"), of: "\(name)@\(version)")
            let metadataJSON: String? = try row.decode(forColumn: "metadata_json")
            let metadata = try metadataJSON.map { try RegistryRules.decodeJSON(VersionMetadata.self, $0, what: "metadata of \(name)@\(version)") }
            return ModelVersionInfo(
                name: name, version: version, sha256: try row.decode(forColumn: "sha256"),
                sizeBytes: try row.decode(forColumn: "size_bytes"), createdAt: try row.decode(forColumn: "created_at"),
                schema: schema, createdBy: try row.decode(forColumn: "created_by"), metadata: metadata ?? VersionMetadata())
        } catch let error as NightjarError {
            throw error
        } catch {
            throw NightjarError.corrupt("model_versions row \(Self.rowID(row)) is unreadable: \(error)")
        }
    }

    /// For error messages only: reading the id as DatabaseValue cannot fail, whatever the row holds.
    static func rowID(_ row: Row) -> String {
        (row["id"] as DatabaseValue?).map { "\($0)" } ?? "?"
    }

    static func audit(_ db: Database, at: Date, actor: String, action: String, subject: String,
                      from: String?, to: String?, reason: String?) throws {
        try db.execute(
            sql: "INSERT INTO audit_log (at, actor, action, subject, from_value, to_value, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [at, actor, action, subject, from, to, reason])
    }
}
