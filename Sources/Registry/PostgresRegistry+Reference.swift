import Foundation
import NightjarCore
import PostgresNIO

extension PostgresRegistry {
    public func setReference(_ ref: ModelRef, profileJSON: Data, actor: String) async throws {
        try ReferenceProfileJSON.validate(profileJSON)
        let text = String(decoding: profileJSON, as: UTF8.self)
        let now = Self.storedNow()
        try await transaction { conn in
            // Locks the version row: two replicas setting a profile at once apply one after the other,
            // and the second finds the first's.
            let rows = try await conn.query("""
                SELECT reference_json FROM model_versions WHERE name = \(ref.name) AND version = \(ref.version.description) FOR UPDATE
                """, logger: self.logger).collect()
            guard let row = rows.first else { throw RegistryRules.missingVersion(ref) }
            if let existing = try row.decode(String?.self) {
                guard existing == text else {
                    throw NightjarError.conflict(
                        "\(ref) already has a reference profile; like its bytes it is immutable: push a new version to change it")
                }
                return
            }
            try await conn.query("""
                UPDATE model_versions SET reference_json = \(text) WHERE name = \(ref.name) AND version = \(ref.version.description)
                """, logger: self.logger)
            try await self.audit(conn, at: now, actor: actor, action: "reference", subject: ref.description, from: nil,
                                 to: sha256Hex(profileJSON), reason: nil)
        }
    }

    public func reference(_ ref: ModelRef) async throws -> Data? {
        try await transaction { conn in
            let rows = try await conn.query("""
                SELECT reference_json FROM model_versions WHERE name = \(ref.name) AND version = \(ref.version.description)
                """, logger: self.logger).collect()
            guard let row = rows.first else { throw RegistryRules.missingVersion(ref) }
            return try row.decode(String?.self).map { Data($0.utf8) }
        }
    }
}
