import Foundation
import NightjarCore
import PostgresNIO

/// The PostgreSQL schema, as numbered migrations recorded in `schema_migrations`. The tables mirror the
/// SQLite store's; dates are `timestamptz`, JSON documents (splits, rollouts, metadata) stay text
/// because they are always read and written whole.
extension PostgresRegistry {
    /// Append only: a migration that has shipped is never edited, a change is a new entry.
    static let migrations: [(version: String, sql: [String])] = [
        ("v1", [
            """
            CREATE TABLE models (
                name TEXT PRIMARY KEY,
                created_at TIMESTAMPTZ NOT NULL,
                created_by TEXT NOT NULL)
            """,
            """
            CREATE TABLE model_versions (
                id BIGSERIAL PRIMARY KEY,
                name TEXT NOT NULL REFERENCES models (name) ON DELETE RESTRICT,
                version TEXT NOT NULL,
                major BIGINT NOT NULL,
                minor BIGINT NOT NULL,
                patch BIGINT NOT NULL,
                pre_release TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                size_bytes BIGINT NOT NULL,
                schema_json TEXT,
                metadata_json TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                created_by TEXT NOT NULL,
                CONSTRAINT model_versions_name_version UNIQUE (name, version))
            """,
            "CREATE INDEX model_versions_sha256 ON model_versions (sha256)",
            """
            CREATE TABLE audit_log (
                id BIGSERIAL PRIMARY KEY,
                at TIMESTAMPTZ NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                from_value TEXT,
                to_value TEXT,
                reason TEXT)
            """,
            """
            CREATE TABLE aliases (
                model TEXT NOT NULL REFERENCES models (name) ON DELETE RESTRICT,
                alias TEXT NOT NULL,
                version TEXT NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                updated_by TEXT NOT NULL,
                PRIMARY KEY (model, alias))
            """,
            """
            CREATE TABLE deployments (
                endpoint TEXT PRIMARY KEY,
                model TEXT NOT NULL REFERENCES models (name) ON DELETE RESTRICT,
                weights_json TEXT NOT NULL,
                revision BIGINT NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                updated_by TEXT NOT NULL,
                reason TEXT)
            """,
            """
            CREATE TABLE rollouts (
                id BIGSERIAL PRIMARY KEY,
                endpoint TEXT NOT NULL REFERENCES deployments (endpoint) ON DELETE CASCADE,
                state TEXT NOT NULL,
                status_json TEXT NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL)
            """,
            "CREATE INDEX rollouts_endpoint ON rollouts (endpoint)",
            """
            CREATE TABLE events (
                id BIGSERIAL PRIMARY KEY,
                at TIMESTAMPTZ NOT NULL,
                kind TEXT NOT NULL,
                endpoint TEXT,
                actor TEXT NOT NULL,
                message TEXT NOT NULL)
            """,
            """
            CREATE TABLE tokens (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL,
                secret_sha256 TEXT NOT NULL CONSTRAINT tokens_secret_sha256 UNIQUE,
                created_at TIMESTAMPTZ NOT NULL,
                created_by TEXT NOT NULL)
            """,
        ]),
        ("2-reference-profiles", ["ALTER TABLE model_versions ADD COLUMN reference_json TEXT"]),
        ("3-deployment-routing", ["ALTER TABLE deployments ADD COLUMN routing_json TEXT NOT NULL DEFAULT '{}'"]),
    ]

    /// Brings the schema up to date in one transaction. Replicas starting together queue on an advisory
    /// lock, so exactly one applies each migration and the others find it done.
    func migrate() async throws {
        try await transaction { conn in
            try await conn.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: self.logger)
            try await conn.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)
                """, logger: self.logger)
            let applied = Set(try await conn.query("SELECT version FROM schema_migrations", logger: self.logger)
                .collect().map { try $0.decode(String.self) })
            let known = Set(Self.migrations.map(\.version))
            // A database written by a newer build has tables this one does not know; writing to it
            // could break the newer build's invariants.
            let unknown = applied.subtracting(known).sorted()
            guard unknown.isEmpty else {
                throw NightjarError.corrupt(
                    "the registry database \(self.location) was written by a newer Nightjar (migrations \(unknown.joined(separator: ", "))); "
                        + "run that version or a newer one")
            }
            for migration in Self.migrations where !applied.contains(migration.version) {
                for statement in migration.sql {
                    try await conn.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await conn.query("INSERT INTO schema_migrations (version, applied_at) VALUES (\(migration.version), now())",
                                     logger: self.logger)
            }
        }
    }
}
