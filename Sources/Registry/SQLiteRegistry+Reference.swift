import Foundation
import GRDB
import NightjarCore

extension SQLiteRegistry {
    public func setReference(_ ref: ModelRef, profileJSON: Data, actor: String) async throws {
        try ReferenceProfileJSON.validate(profileJSON)
        let text = String(decoding: profileJSON, as: UTF8.self)
        try await database.write { db in
            guard try Self.fetchVersion(db, ref) != nil else {
                throw NightjarError.notFound("model version \(ref) does not exist")
            }
            let existing = try String.fetchOne(db, sql: "SELECT reference_json FROM model_versions WHERE name = ? AND version = ?",
                                               arguments: [ref.name, ref.version.description])
            if let existing {
                guard existing == text else {
                    throw NightjarError.conflict(
                        "\(ref) already has a reference profile; like its bytes it is immutable: push a new version to change it")
                }
                return
            }
            try db.execute(sql: "UPDATE model_versions SET reference_json = ? WHERE name = ? AND version = ?",
                           arguments: [text, ref.name, ref.version.description])
            try Self.audit(db, at: Date(), actor: actor, action: "reference", subject: ref.description, from: nil,
                           to: sha256Hex(profileJSON), reason: nil)
        }
    }

    public func reference(_ ref: ModelRef) async throws -> Data? {
        try await database.read { db in
            guard try Self.fetchVersion(db, ref) != nil else {
                throw NightjarError.notFound("model version \(ref) does not exist")
            }
            return try String.fetchOne(db, sql: "SELECT reference_json FROM model_versions WHERE name = ? AND version = ?",
                                       arguments: [ref.name, ref.version.description]).map { Data($0.utf8) }
        }
    }
}
