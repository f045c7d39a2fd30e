import Foundation
import NightjarCore
import PostgresNIO

extension PostgresRegistry {
    public func createToken(_ info: AccessTokenInfo, secretHash: String) async throws {
        try RegistryRules.validateTokenName(info.name)
        do {
            try await transaction { conn in
                if try await conn.query("SELECT 1 FROM tokens WHERE name = \(info.name)", logger: self.logger).collect().isEmpty == false {
                    throw RegistryRules.tokenExists(info.name)
                }
                try await conn.query("""
                    INSERT INTO tokens (name, role, secret_sha256, created_at, created_by)
                    VALUES (\(info.name), \(info.role.rawValue), \(secretHash), \(info.createdAt), \(info.createdBy))
                    """, logger: self.logger)
                try await self.audit(conn, at: info.createdAt, actor: info.createdBy, action: "token.create", subject: info.name,
                                     from: nil, to: info.role.rawValue, reason: nil)
            }
        } catch let violation as UniqueViolation {
            // Another replica created a token of this name since the check above: the same answer as if it had been first.
            guard violation.constraint == "tokens_secret_sha256" else { throw RegistryRules.tokenExists(info.name) }
            throw NightjarError.conflict("another token already has this secret; generate a new secret for '\(info.name)'")
        }
    }

    public func token(secretHash: String) async throws -> AccessTokenInfo? {
        try await transaction { conn in
            try await self.fetchTokens(conn, "SELECT name, role, created_at, created_by FROM tokens WHERE secret_sha256 = \(secretHash)")
                .first
        }
    }

    public func tokens() async throws -> [AccessTokenInfo] {
        try await transaction { conn in
            try await self.fetchTokens(conn, "SELECT name, role, created_at, created_by FROM tokens ORDER BY name")
        }
    }

    public func revokeToken(name: String, actor: String) async throws {
        let now = Self.storedNow()
        try await transaction { conn in
            // DELETE ... RETURNING: of two replicas revoking at once, one deletes and audits, the other finds nothing.
            guard let info = try await self.fetchTokens(conn, """
                DELETE FROM tokens WHERE name = \(name) RETURNING name, role, created_at, created_by
                """).first else {
                throw RegistryRules.tokenNotFound(name)
            }
            try await self.audit(conn, at: now, actor: actor, action: "token.revoke", subject: name, from: info.role.rawValue,
                                 to: nil, reason: nil)
        }
    }

    func fetchTokens(_ conn: PostgresConnection, _ query: PostgresQuery) async throws -> [AccessTokenInfo] {
        try await conn.query(query, logger: logger).collect().map { row in
            let (name, role, createdAt, createdBy) = try row.decode((String, String, Date, String).self)
            return AccessTokenInfo(name: name, role: try RegistryRules.tokenRole(role), createdAt: createdAt, createdBy: createdBy)
        }
    }
}
