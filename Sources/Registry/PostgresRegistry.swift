import Foundation
import Logging
import NightjarCore
import PostgresNIO

/// The registry in a PostgreSQL database, for several server replicas sharing one registry, with
/// artifacts in a folder they all mount (`artifactRoot`, content-addressed like the SQLite store's).
///
/// Answers exactly as `SQLiteRegistry` does (both go through `RegistryRules`). What SQLite gets from
/// having one writer, this store gets from the database: row locks (`SELECT ... FOR UPDATE`) on the
/// endpoint or model a change reads, unique constraints on versions, aliases and tokens, and
/// transaction-scoped advisory locks where a rule spans rows (event ids, garbage collection).
public final class PostgresRegistry: RegistryStore {
    let client: PostgresClient
    let artifacts: ArtifactStore
    let logger: Logger
    /// `postgres://user@host:port/db`, without a password: what error messages name.
    public let location: String
    /// Runs the connection pool; cancelled by `shutdown()` or when the store goes away.
    private let pool: Task<Void, Never>

    /// Connects, creates or migrates the schema, and creates `artifactRoot` if needed.
    public init(configuration: PostgresClient.Configuration, location: String, artifactRoot: URL,
                logger: Logger = Logger(label: "nightjar.registry.postgres")) async throws {
        do {
            try FileManager.default.createDirectory(at: artifactRoot, withIntermediateDirectories: true)
        } catch {
            throw NightjarError.invalidArgument(
                "cannot create the artifact folder \(artifactRoot.path): \(error.localizedDescription); "
                    + "point NIGHTJAR_HOME at a writable folder")
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.artifacts = ArtifactStore(root: artifactRoot)
        self.logger = logger
        self.location = location
        self.pool = Task { await client.run() }
        do {
            try await migrate()
        } catch {
            pool.cancel()
            throw error
        }
    }

    deinit {
        pool.cancel()
    }

    /// Closes every connection. The store answers `unavailable` afterwards.
    public func shutdown() async {
        pool.cancel()
        await pool.value
    }

    public func push(_ ref: ModelRef, artifact: Data, schema: FeatureSchema?, metadata: VersionMetadata,
                     actor: String) async throws -> PushResult {
        let actor = try RegistryRules.validatePush(ref, actor: actor)
        let sha = sha256Hex(artifact)
        let (schemaJSON, metadataJSON) = try RegistryRules.encodePushed(ref, schema: schema, metadata: metadata)

        // Answer a repeat or a conflict before touching the disk, so a refused push leaves no file.
        if let existing = try await transaction({ try await self.fetchVersion($0, ref) }) {
            return try repeatedPush(ref, existing: existing, artifact: artifact, sha: sha, metadata: metadata)
        }
        let now = Self.storedNow()
        do {
            return try await transaction { conn -> PushResult in
                // Shared with other pushes, exclusive with garbage collection: a file written here cannot
                // be collected before this transaction's row commits and references it.
                try await conn.query("SELECT pg_advisory_xact_lock_shared(\(Self.garbageCollectionLock))", logger: self.logger)
                // The file goes first: a version row must never point at an artifact that is not on disk.
                _ = try self.artifacts.write(artifact, sha256: sha)
                if let existing = try await self.fetchVersion(conn, ref) {
                    try RegistryRules.requireSameVersion(ref, existing: existing, sha: sha, metadata: metadata)
                    return PushResult(version: existing, created: false)
                }
                try await conn.query("""
                    INSERT INTO models (name, created_at, created_by) VALUES (\(ref.name), \(now), \(actor))
                    ON CONFLICT (name) DO NOTHING
                    """, logger: self.logger)
                let v = ref.version
                try await conn.query("""
                    INSERT INTO model_versions (name, version, major, minor, patch, pre_release, sha256, size_bytes,
                                                schema_json, metadata_json, created_at, created_by)
                    VALUES (\(ref.name), \(v.description), \(v.major), \(v.minor), \(v.patch),
                            \(v.preRelease.joined(separator: ".")), \(sha), \(artifact.count), \(schemaJSON),
                            \(metadataJSON), \(now), \(actor))
                    """, logger: self.logger)
                try await self.audit(conn, at: now, actor: actor, action: "push", subject: ref.description, from: nil, to: sha, reason: nil)
                // Read back rather than echo `now`: the push answer must equal what `version(_:)` answers later.
                guard let stored = try await self.fetchVersion(conn, ref) else {
                    throw NightjarError.corrupt("\(ref) was inserted but cannot be read back from \(self.location)")
                }
                return PushResult(version: stored, created: true)
            }
        } catch is UniqueViolation {
            // Another replica inserted the same ref between our check and our insert. Its row is the
            // truth; answer as if we had arrived second.
            guard let existing = try await transaction({ try await self.fetchVersion($0, ref) }) else {
                throw NightjarError.unavailable("\(ref) was being pushed concurrently in \(location); push it again")
            }
            return try repeatedPush(ref, existing: existing, artifact: artifact, sha: sha, metadata: metadata)
        }
    }

    public func models() async throws -> [ModelSummary] {
        let versions = try await transaction { conn in
            try await self.withAliases(conn, self.fetchVersions(conn, where: "TRUE ORDER BY name, major, minor, patch"))
        }
        return RegistryRules.summaries(versions)
    }

    public func version(_ ref: ModelRef) async throws -> ModelVersionInfo {
        try await transaction { conn in
            if let info = try await self.fetchVersion(conn, ref) { return info }
            throw RegistryRules.versionNotFound(ref, known: try await self.knownVersions(conn, of: ref.name))
        }
    }

    public func artifact(_ ref: ModelRef) async throws -> Data {
        let info = try await version(ref)
        return try artifacts.read(sha256: info.sha256)
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try RegistryRules.validateAuditLimit(limit)
        return try await transaction { conn in
            try await conn.query("""
                SELECT id, at, actor, action, subject, from_value, to_value, reason FROM audit_log ORDER BY id DESC LIMIT \(limit)
                """, logger: self.logger).collect().map { row in
                let (id, at, actor, action, subject, from, to, reason) =
                    try row.decode((Int64, Date, String, String, String, String?, String?, String?).self)
                return AuditEntry(id: id, at: at, actor: actor, action: action, subject: subject, from: from, to: to, reason: reason)
            }
        }
    }

    /// The same ref is already stored: identical bytes are a harmless repeat, other bytes a conflict.
    private func repeatedPush(_ ref: ModelRef, existing: ModelVersionInfo, artifact: Data, sha: String,
                              metadata: VersionMetadata) throws -> PushResult {
        try RegistryRules.requireSameVersion(ref, existing: existing, sha: sha, metadata: metadata)
        // Rewrites the file only if it went missing or bad; a no-op (one read) otherwise.
        _ = try artifacts.write(artifact, sha256: sha)
        return PushResult(version: existing, created: false)
    }

    // MARK: rows

    static let versionColumns = "id, name, version, sha256, size_bytes, created_at, schema_json, created_by, metadata_json"

    func fetchVersion(_ conn: PostgresConnection, _ ref: ModelRef) async throws -> ModelVersionInfo? {
        let found = try await fetchVersions(conn, """
            SELECT \(unescaped: Self.versionColumns) FROM model_versions WHERE name = \(ref.name) AND version = \(ref.version.description)
            """)
        guard let info = found.first else { return nil }
        return try await withAliases(conn, [info])[0]
    }

    /// `clause` is trusted SQL from this file, never input.
    func fetchVersions(_ conn: PostgresConnection, where clause: String) async throws -> [ModelVersionInfo] {
        try await fetchVersions(conn, PostgresQuery(unsafeSQL: "SELECT \(Self.versionColumns) FROM model_versions WHERE \(clause)"))
    }

    private func fetchVersions(_ conn: PostgresConnection, _ query: PostgresQuery) async throws -> [ModelVersionInfo] {
        try await conn.query(query, logger: logger).collect().map { row in
            let (id, name, versionText, sha, size, createdAt, schemaJSON, createdBy, metadataJSON) = try row.decode(
                (Int64, String, String, String, Int, Date, String?, String, String?).self)
            do {
                let version = try RegistryRules.storedSemVer(versionText, name: name)
                let schema = try RegistryRules.decodeSchema(schemaJSON, of: "\(name)@\(version)")
                let metadata = try metadataJSON.map {
                    try RegistryRules.decodeJSON(VersionMetadata.self, $0, what: "metadata of \(name)@\(version)")
                }
                return ModelVersionInfo(name: name, version: version, sha256: sha, sizeBytes: size, createdAt: createdAt,
                                        schema: schema, createdBy: createdBy, metadata: metadata ?? VersionMetadata())
            } catch let error as NightjarError {
                throw error
            } catch {
                throw NightjarError.corrupt("model_versions row \(id) is unreadable: \(error)")
            }
        }
    }

    /// Every stored version text of a model, oldest push first.
    func knownVersions(_ conn: PostgresConnection, of model: String) async throws -> [String] {
        try await conn.query("SELECT version FROM model_versions WHERE name = \(model) ORDER BY id", logger: logger)
            .collect().map { try $0.decode(String.self) }
    }

    func withAliases(_ conn: PostgresConnection, _ versions: [ModelVersionInfo]) async throws -> [ModelVersionInfo] {
        let aliases = try await conn.query("SELECT model, alias, version FROM aliases ORDER BY alias", logger: logger)
            .collect().map { row in
                let (model, alias, version) = try row.decode((String, String, String).self)
                return (model: model, alias: alias, version: version)
            }
        return try RegistryRules.withAliases(versions, aliases)
    }

    func audit(_ conn: PostgresConnection, at: Date, actor: String, action: String, subject: String,
               from: String?, to: String?, reason: String?) async throws {
        try await conn.query("""
            INSERT INTO audit_log (at, actor, action, subject, from_value, to_value, reason)
            VALUES (\(at), \(actor), \(action), \(subject), \(from), \(to), \(reason))
            """, logger: logger)
    }

    /// Millisecond precision, like the SQLite store, so both stores answer the same dates for the same writes.
    static func storedNow() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
