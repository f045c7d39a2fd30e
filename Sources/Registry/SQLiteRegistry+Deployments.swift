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
        let actor = try RegistryRules.validate(change)
        let now = Date()
        return try await database.write { db -> EndpointChangeResult in
            let current = try Self.fetchDeployment(db, change.endpoint)
            try RegistryRules.requireExpectedRevision(change, current: current)
            let model = current?.model ?? change.model ?? change.endpoint
            let weights = try RegistryRules.resultingWeights(change, current: current)
            let routing = try RegistryRules.resultingRouting(change, current: current, weights: weights)
            for (field, version) in routing.versionsByField(weights: weights)
            where try Self.fetchVersion(db, ModelRef(name: model, version: version)) == nil {
                let known = try String.fetchAll(db, sql: "SELECT version FROM model_versions WHERE name = ?", arguments: [model])
                throw RegistryRules.unknownWeightVersion(model: model, version: version, known: known, field: field)
            }
            let revision = (current?.revision ?? 0) + 1
            let weightsJSON = try RegistryRules.json(weights)
            let routingJSON = try RegistryRules.json(routing)
            try db.execute(
                sql: """
                    INSERT INTO deployments (endpoint, model, weights_json, routing_json, revision, updated_at, updated_by, reason)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(endpoint) DO UPDATE SET weights_json = excluded.weights_json, routing_json = excluded.routing_json,
                        revision = excluded.revision, updated_at = excluded.updated_at, updated_by = excluded.updated_by,
                        reason = excluded.reason
                    """,
                arguments: [change.endpoint, model, weightsJSON, routingJSON, revision, now, actor, change.reason])
            // Read back rather than echo: the stored date has millisecond precision, and the answer must equal
            // what later reads (and the routing table) see.
            let updated = try Self.requireDeployment(db, change.endpoint)
            try Self.writeRollout(db, change.rollout, endpoint: change.endpoint, at: now)

            let previous = current?.weights ?? []
            try Self.audit(db, at: now, actor: actor, action: change.action, subject: change.endpoint,
                           from: current?.settingsDescription, to: updated.settingsDescription, reason: change.reason)
            let message = RegistryRules.eventMessage(change, from: current, to: updated)
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
        try RegistryRules.validateEventLimit(limit)
        return try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, limit])
                .map(Self.event)
        }
    }

    public func newestEvents(limit: Int) async throws -> [ControlEvent] {
        try RegistryRules.validateEventLimit(limit)
        return try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM events ORDER BY id DESC LIMIT ?) ORDER BY id", arguments: [limit])
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
        throw RegistryRules.endpointNotFound(endpoint, known: known)
    }

    /// A rollout can only start where none is running, checked inside the same transaction as the split.
    static func writeRollout(_ db: Database, _ write: EndpointChange.RolloutWrite, endpoint: String, at now: Date) throws {
        switch write {
        case .unchanged:
            return
        case .start(let status):
            try RegistryRules.requireNoRunningRollout(endpoint, latest: try latestRollout(db, endpoint))
            try db.execute(
                sql: "INSERT INTO rollouts (endpoint, state, status_json, updated_at) VALUES (?, ?, ?, ?)",
                arguments: [endpoint, status.state.rawValue, try RegistryRules.json(status), now])
        case .update(let status):
            guard let id = try Int64.fetchOne(db, sql: "SELECT max(id) FROM rollouts WHERE endpoint = ?", arguments: [endpoint]) else {
                throw RegistryRules.noRollout(endpoint)
            }
            try db.execute(
                sql: "UPDATE rollouts SET state = ?, status_json = ?, updated_at = ? WHERE id = ?",
                arguments: [status.state.rawValue, try RegistryRules.json(status), now, id])
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
                weights: try RegistryRules.decodeJSON([TrafficWeight].self, try row.decode(forColumn: "weights_json"), what: "split of \(endpoint)"),
                routing: try RegistryRules.decodeJSON(DeploymentRouting.self, try row.decode(forColumn: "routing_json"),
                                                      what: "routing settings of \(endpoint)"),
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
            return try RegistryRules.decodeJSON(RolloutStatus.self, try row.decode(forColumn: "status_json"), what: "rollout \(rowID(row))")
        } catch let error as NightjarError {
            throw error
        } catch {
            throw NightjarError.corrupt("rollouts row \(rowID(row)) is unreadable: \(error)")
        }
    }

    static func event(_ row: Row) throws -> ControlEvent {
        do {
            let kind = try RegistryRules.eventKind(try row.decode(forColumn: "kind"), row: rowID(row))
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
}
