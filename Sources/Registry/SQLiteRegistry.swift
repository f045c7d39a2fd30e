import Foundation
import GRDB
import NightjarCore

/// The registry in one SQLite file (`home/registry.sqlite`) with artifacts beside it (`home/artifacts`).
public final class SQLiteRegistry: RegistryStore {
    let database: DatabasePool
    let artifacts: ArtifactStore
    public let home: URL

    public init(home: URL) throws {
        self.home = home
        do {
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        } catch {
            throw NightjarError.invalidArgument("cannot create the Nightjar home \(home.path): \(error.localizedDescription)")
        }
        let file = home.appendingPathComponent("registry.sqlite")
        var config = Configuration()
        config.busyMode = .timeout(10)
        do {
            database = try DatabasePool(path: file.path, configuration: config)
            try Self.migrator.migrate(database)
        } catch {
            throw NightjarError.corrupt("cannot open the registry database \(file.path): \(error)")
        }
        artifacts = ArtifactStore(root: home.appendingPathComponent("artifacts"))
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.create(table: "model_version") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("version", .text).notNull()
                t.column("sha256", .text).notNull()
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
        return m
    }

    public func push(_ ref: ModelRef, artifact: Data, schema: FeatureSchema?, actor: String) async throws -> PushResult {
        // The file goes first: a version row must never point at an artifact that is not on disk.
        let (sha, _) = try artifacts.write(artifact)
        let schemaJSON = try schema.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let now = Date()
        return try await database.write { db -> PushResult in
            if let existing = try Self.fetchVersion(db, ref) {
                guard existing.sha256 == sha else {
                    throw NightjarError.conflict(
                        "\(ref) already exists with sha256 \(existing.sha256); these bytes hash to \(sha). "
                            + "Versions are immutable: push a new version instead")
                }
                return PushResult(version: existing, created: false)
            }
            try db.execute(
                sql: """
                    INSERT INTO model_version (name, version, sha256, size_bytes, schema_json, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [ref.name, ref.version.description, sha, artifact.count, schemaJSON, now, actor])
            try Self.audit(db, at: now, actor: actor, action: "push", subject: ref.description, from: nil, to: sha, reason: nil)
            let info = ModelVersionInfo(name: ref.name, version: ref.version, sha256: sha, sizeBytes: artifact.count,
                                        createdAt: now, schema: schema)
            return PushResult(version: info, created: true)
        }
    }

    public func models() async throws -> [ModelSummary] {
        let rows = try await database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM model_version") }
        let versions = try rows.map(Self.versionInfo)
        return Dictionary(grouping: versions, by: \.name)
            .map { ModelSummary(name: $0.key, versions: $0.value.sorted { $0.version < $1.version }) }
            .sorted { $0.name < $1.name }
    }

    public func version(_ ref: ModelRef) async throws -> ModelVersionInfo {
        try await database.read { db in
            if let info = try Self.fetchVersion(db, ref) { return info }
            let known = try String.fetchAll(db, sql: "SELECT version FROM model_version WHERE name = ?", arguments: [ref.name])
                .compactMap { try? SemVer(parsing: $0) }.sorted()
            if known.isEmpty {
                throw NightjarError.notFound("no model named '\(ref.name)' in the registry")
            }
            throw NightjarError.notFound(
                "model version \(ref) does not exist; known versions of \(ref.name): \(known.map(\.description).joined(separator: ", "))")
        }
    }

    public func artifact(_ ref: ModelRef) async throws -> Data {
        let info = try await version(ref)
        return try artifacts.read(sha256: info.sha256)
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                AuditEntry(id: row["id"], at: row["at"], actor: row["actor"], action: row["action"], subject: row["subject"],
                           from: row["from_value"], to: row["to_value"], reason: row["reason"])
            }
        }
    }

    static func fetchVersion(_ db: Database, _ ref: ModelRef) throws -> ModelVersionInfo? {
        try Row.fetchOne(db, sql: "SELECT * FROM model_version WHERE name = ? AND version = ?",
                         arguments: [ref.name, ref.version.description]).map(versionInfo)
    }

    static func versionInfo(_ row: Row) throws -> ModelVersionInfo {
        let versionText: String = row["version"]
        let schemaJSON: String? = row["schema_json"]
        let schema = try schemaJSON.map { try JSONDecoder().decode(FeatureSchema.self, from: Data($0.utf8)) }
        return ModelVersionInfo(name: row["name"], version: try SemVer(parsing: versionText), sha256: row["sha256"],
                                sizeBytes: row["size_bytes"], createdAt: row["created_at"], schema: schema)
    }

    static func audit(_ db: Database, at: Date, actor: String, action: String, subject: String,
                      from: String?, to: String?, reason: String?) throws {
        try db.execute(
            sql: "INSERT INTO audit_log (at, actor, action, subject, from_value, to_value, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [at, actor, action, subject, from, to, reason])
    }
}
