import Foundation
import GRDB
import NightjarCore

extension SQLiteRegistry {
    public func deployments() async throws -> [Deployment] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM deployments ORDER BY endpoint").map(Self.deployment)
        }
    }

    public func deployment(_ endpoint: String) async throws -> Deployment {
        try await database.read { db in try Self.requireDeployment(db, endpoint) }
    }

    public func apply(_ change: EndpointChange) async throws -> EndpointChangeResult {
        try Deployment.validate(endpoint: change.endpoint)
        let actor = change.actor.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !actor.isEmpty else {
            throw NightjarError.invalidArgument("a change to \(change.endpoint) names no actor: the audit log must say who made it")
        }
        if let weights = change.weights { try Deployment.validate(weights: weights) }
        let now = Date()
        return try await database.write { db -> EndpointChangeResult in
            let current = try Self.fetchDeployment(db, change.endpoint)
            if let expected = change.expectedRevision, let current, current.revision != expected {
                throw NightjarError.conflict(
                    "\(change.endpoint) changed since you looked: you edited revision \(expected), it is now revision "
                        + "\(current.revision) (\(current.splitDescription), by \(current.updatedBy)); reload and try again")
            }
            let model = current?.model ?? change.model ?? change.endpoint
            guard let weights = change.weights ?? current?.weights else {
                throw NightjarError.notFound("no endpoint named '\(change.endpoint)'; create it by setting its traffic first")
            }
            for w in weights where try Self.fetchVersion(db, ModelRef(name: model, version: w.version)) == nil {
                let known = try String.fetchAll(db, sql: "SELECT version FROM model_versions WHERE name = ?", arguments: [model])
                throw NightjarError.notFound(
                    "weights: \(model)@\(w.version) does not exist"
                        + (known.isEmpty ? "; there is no model named '\(model)'" : "; known versions: \(known.joined(separator: ", "))"))
            }
            let revision = (current?.revision ?? 0) + 1
            let weightsJSON = try Self.json(weights)
            try db.execute(
                sql: """
                    INSERT INTO deployments (endpoint, model, weights_json, revision, updated_at, updated_by, reason)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(endpoint) DO UPDATE SET weights_json = excluded.weights_json, revision = excluded.revision,
                        updated_at = excluded.updated_at, updated_by = excluded.updated_by, reason = excluded.reason
                    """,
                arguments: [change.endpoint, model, weightsJSON, revision, now, actor, change.reason])
            // Read back rather than echo: the stored date has millisecond precision, and the answer must equal
            // what later reads (and the routing table) see.
            let updated = try Self.requireDeployment(db, change.endpoint)
            try Self.writeRollout(db, change.rollout, endpoint: change.endpoint, at: now)

            let previous = current?.weights ?? []
            let splitChange = TrafficWeight.describeChange(from: previous, to: weights)
            try Self.audit(db, at: now, actor: actor, action: change.action, subject: change.endpoint,
                           from: current?.splitDescription, to: updated.splitDescription, reason: change.reason)
            var message = change.message ?? "\(change.endpoint): \(splitChange)"
            if let reason = change.reason, !reason.isEmpty { message += " — \(reason)" }
            let event = try Self.insertEvent(db, at: now, kind: change.eventKind, endpoint: change.endpoint, actor: actor, message: message)
            return EndpointChangeResult(deployment: updated, previousWeights: previous, event: event)
        }
    }

    public func rollouts() async throws -> [RolloutStatus] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM rollouts WHERE id IN (SELECT max(id) FROM rollouts GROUP BY endpoint) ORDER BY endpoint
                """).map(Self.rollout)
        }
    }

    public func recordEvent(kind: ControlEvent.Kind, endpoint: String?, actor: String, message: String) async throws -> ControlEvent {
        let now = Date()
        return try await database.write { db in
            try Self.insertEvent(db, at: now, kind: kind, endpoint: endpoint, actor: actor, message: message)
        }
    }

    public func events(after: Int64, limit: Int) async throws -> [ControlEvent] {
        guard (1...10_000).contains(limit) else {
            throw NightjarError.invalidArgument("limit must be between 1 and 10000, got \(limit)")
        }
        return try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, limit])
                .map(Self.event)
        }
    }

    // MARK: rows

    static func fetchDeployment(_ db: Database, _ endpoint: String) throws -> Deployment? {
        try Row.fetchOne(db, sql: "SELECT * FROM deployments WHERE endpoint = ?", arguments: [endpoint]).map(deployment)
    }

    static func requireDeployment(_ db: Database, _ endpoint: String) throws -> Deployment {
        if let found = try fetchDeployment(db, endpoint) { return found }
        let known = try String.fetchAll(db, sql: "SELECT endpoint FROM deployments ORDER BY endpoint")
        throw NightjarError.notFound("no endpoint named '\(endpoint)'"
            + (known.isEmpty ? "; none exists yet" : "; endpoints: \(known.joined(separator: ", "))"))
    }

    /// A rollout can only start where none is running, checked inside the same transaction as the split.
    static func writeRollout(_ db: Database, _ write: EndpointChange.RolloutWrite, endpoint: String, at now: Date) throws {
        switch write {
        case .unchanged:
            return
        case .start(let status):
            if let running = try latestRollout(db, endpoint), !running.state.isFinished {
                throw NightjarError.conflict(
                    "\(endpoint) already has a rollout to \(running.candidate) (\(running.state.rawValue)); promote, abort or roll it back first")
            }
            try db.execute(
                sql: "INSERT INTO rollouts (endpoint, state, status_json, updated_at) VALUES (?, ?, ?, ?)",
                arguments: [endpoint, status.state.rawValue, try json(status), now])
        case .update(let status):
            guard let id = try Int64.fetchOne(db, sql: "SELECT max(id) FROM rollouts WHERE endpoint = ?", arguments: [endpoint]) else {
                throw NightjarError.notFound("\(endpoint) has no rollout")
            }
            try db.execute(
                sql: "UPDATE rollouts SET state = ?, status_json = ?, updated_at = ? WHERE id = ?",
                arguments: [status.state.rawValue, try json(status), now, id])
        }
    }

    static func latestRollout(_ db: Database, _ endpoint: String) throws -> RolloutStatus? {
        try Row.fetchOne(db, sql: "SELECT * FROM rollouts WHERE endpoint = ? ORDER BY id DESC LIMIT 1", arguments: [endpoint])
            .map(rollout)
    }

    static func insertEvent(_ db: Database, at: Date, kind: ControlEvent.Kind, endpoint: String?, actor: String,
                            message: String) throws -> ControlEvent {
        try db.execute(
            sql: "INSERT INTO events (at, kind, endpoint, actor, message) VALUES (?, ?, ?, ?, ?)",
            arguments: [at, kind.rawValue, endpoint, actor, message])
        return ControlEvent(id: db.lastInsertedRowID, at: at, kind: kind, endpoint: endpoint, actor: actor, message: message)
    }

    static func deployment(_ row: Row) throws -> Deployment {
        do {
            let endpoint: String = try row.decode(forColumn: "endpoint")
            return Deployment(
                endpoint: endpoint, model: try row.decode(forColumn: "model"),
                weights: try decodeJSON([TrafficWeight].self, try row.decode(forColumn: "weights_json"), what: "split of \(endpoint)"),
                revision: try row.decode(forColumn: "revision"), updatedAt: try row.decode(forColumn: "updated_at"),
                updatedBy: try row.decode(forColumn: "updated_by"), reason: try row.decode(forColumn: "reason"))
        } catch let error as NightjarError {
            throw error
        } catch {
            throw NightjarError.corrupt("deployments row for \(row["endpoint"] as DatabaseValue? ?? .null) is unreadable: \(error)")
        }
    }

    static func rollout(_ row: Row) throws -> RolloutStatus {
        do {
            return try decodeJSON(RolloutStatus.self, try row.decode(forColumn: "status_json"), what: "rollout \(rowID(row))")
        } catch let error as NightjarError {
            throw error
        } catch {
            throw NightjarError.corrupt("rollouts row \(rowID(row)) is unreadable: \(error)")
        }
    }

    static func event(_ row: Row) throws -> ControlEvent {
        do {
            let kindText: String = try row.decode(forColumn: "kind")
            guard let kind = ControlEvent.Kind(rawValue: kindText) else {
                throw NightjarError.corrupt("events row \(rowID(row)) has unknown kind '\(kindText)'")
            }
            return ControlEvent(
                id: try row.decode(forColumn: "id"), at: try row.decode(forColumn: "at"), kind: kind,
                endpoint: try row.decode(forColumn: "endpoint"), actor: try row.decode(forColumn: "actor"),
                message: try row.decode(forColumn: "message"))
        } catch let error as NightjarError {
            throw error
        } catch {
            throw NightjarError.corrupt("events row \(rowID(row)) is unreadable: \(error)")
        }
    }

    static let jsonEncoder: JSONEncoder = {
        let e = JSONEncoder()
        // Milliseconds, not ISO 8601 seconds: a rollout's step timing must survive a restart intact.
        e.dateEncodingStrategy = .millisecondsSince1970
        e.outputFormatting = .sortedKeys
        return e
    }()

    static let jsonDecoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .millisecondsSince1970
        return d
    }()

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try jsonEncoder.encode(value), as: UTF8.self)
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String, what: String) throws -> T {
        do {
            return try jsonDecoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw NightjarError.corrupt("the stored \(what) is not valid: \(error)")
        }
    }
}
