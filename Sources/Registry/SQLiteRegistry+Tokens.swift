import Foundation
import GRDB
import NightjarCore

extension SQLiteRegistry {
    public func createToken(_ info: AccessTokenInfo, secretHash: String) async throws {
        try RegistryRules.validateTokenName(info.name)
        try await database.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM tokens WHERE name = ?", arguments: [info.name]) == true {
                throw RegistryRules.tokenExists(info.name)
            }
            try db.execute(
                sql: "INSERT INTO tokens (name, role, secret_sha256, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                arguments: [info.name, info.role.rawValue, secretHash, info.createdAt, info.createdBy])
            try Self.audit(db, at: info.createdAt, actor: info.createdBy, action: "token.create", subject: info.name,
                           from: nil, to: info.role.rawValue, reason: nil)
        }
    }

    public func token(secretHash: String) async throws -> AccessTokenInfo? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM tokens WHERE secret_sha256 = ?", arguments: [secretHash]).map(Self.tokenInfo)
        }
    }

    public func tokens() async throws -> [AccessTokenInfo] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY name").map(Self.tokenInfo)
        }
    }

    public func revokeToken(name: String, actor: String) async throws {
        try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM tokens WHERE name = ?", arguments: [name]) else {
                throw RegistryRules.tokenNotFound(name)
            }
            let info = try Self.tokenInfo(row)
            try db.execute(sql: "DELETE FROM tokens WHERE name = ?", arguments: [name])
            try Self.audit(db, at: Date(), actor: actor, action: "token.revoke", subject: name, from: info.role.rawValue,
                           to: nil, reason: nil)
        }
    }

    static func tokenInfo(_ row: Row) throws -> AccessTokenInfo {
        do {
            let role = try RegistryRules.tokenRole(try row.decode(forColumn: "role"))
            return AccessTokenInfo(name: try row.decode(forColumn: "name"), role: role,
                                   createdAt: try row.decode(forColumn: "created_at"), createdBy: try row.decode(forColumn: "created_by"))
        } catch let error as NightjarError {
            throw error
        } catch {
            throw NightjarError.corrupt("a tokens row is unreadable: \(error)")
        }
    }
}
