import Foundation
import NightjarCore
import PostgresNIO

extension PostgresRegistry {
    public func deployments() async throws -> [Deployment] {
        try await transaction { conn in
            try await self.fetchDeployments(conn, "SELECT \(unescaped: Self.deploymentColumns) FROM deployments ORDER BY endpoint")
        }
    }

    public func deployment(_ endpoint: String) async throws -> Deployment {
        try await transaction { conn in try await self.requireDeployment(conn, endpoint) }
    }

    public func apply(_ change: EndpointChange) async throws -> EndpointChangeResult {
        let actor = try RegistryRules.validate(change)
        // Two replicas creating one endpoint both find no row to lock; the second insert then hits the
        // primary key, and running again finds (and locks) the row the first one created.
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await apply(change, actor: actor)
            } catch is UniqueViolation where attempt < 3 {
                continue
            } catch is UniqueViolation {
                throw NightjarError.conflict("\(change.endpoint) is being created by another replica at the same time; try again")
            }
        }
    }

    private func apply(_ change: EndpointChange, actor: String) async throws -> EndpointChangeResult {
        let now = Self.storedNow()
        return try await transaction { conn -> EndpointChangeResult in
            // The row lock makes a concurrent change on another replica wait here, then see the new
            // revision: a stale change is refused, never lost.
            let current = try await self.fetchDeployments(conn, """
                SELECT \(unescaped: Self.deploymentColumns) FROM deployments WHERE endpoint = \(change.endpoint) FOR UPDATE
                """).first
            try RegistryRules.requireExpectedRevision(change, current: current)
            let model = current?.model ?? change.model ?? change.endpoint
            let weights = try RegistryRules.resultingWeights(change, current: current)
            let routing = try RegistryRules.resultingRouting(change, current: current, weights: weights)
            for (field, version) in routing.versionsByField(weights: weights)
            where try await self.fetchVersion(conn, ModelRef(name: model, version: version)) == nil {
                throw RegistryRules.unknownWeightVersion(model: model, version: version,
                                                         known: try await self.knownVersions(conn, of: model), field: field)
            }
            let weightsJSON = try RegistryRules.json(weights)
            let routingJSON = try RegistryRules.json(routing)
            if let current {
                try await conn.query("""
                    UPDATE deployments SET weights_json = \(weightsJSON), routing_json = \(routingJSON), revision = \(current.revision + 1),
                        updated_at = \(now), updated_by = \(actor), reason = \(change.reason)
                    WHERE endpoint = \(change.endpoint) AND revision = \(current.revision)
                    """, logger: self.logger)
            } else {
                try await conn.query("""
                    INSERT INTO deployments (endpoint, model, weights_json, routing_json, revision, updated_at, updated_by, reason)
                    VALUES (\(change.endpoint), \(model), \(weightsJSON), \(routingJSON), 1, \(now), \(actor), \(change.reason))
                    """, logger: self.logger)
            }
            // Read back rather than echo: the answer must equal what later reads (and the routing table) see.
            let updated = try await self.requireDeployment(conn, change.endpoint)
            try await self.writeRollout(conn, change.rollout, endpoint: change.endpoint, at: now)

            let previous = current?.weights ?? []
            try await self.audit(conn, at: now, actor: actor, action: change.action, subject: change.endpoint,
                                 from: current?.settingsDescription, to: updated.settingsDescription, reason: change.reason)
            let event = try await self.insertEvent(conn, at: now, kind: change.eventKind, endpoint: change.endpoint, actor: actor,
                                                   message: RegistryRules.eventMessage(change, from: current, to: updated))
            return EndpointChangeResult(deployment: updated, previousWeights: previous, event: event)
        }
    }

    public func rollouts() async throws -> [RolloutStatus] {
        try await transaction { conn in
            try await self.fetchRollouts(conn, """
                SELECT id, status_json FROM rollouts WHERE id IN (SELECT max(id) FROM rollouts GROUP BY endpoint) ORDER BY endpoint
                """)
        }
    }

    public func recordEvent(kind: ControlEvent.Kind, endpoint: String?, actor: String, message: String) async throws -> ControlEvent {
        let now = Self.storedNow()
        return try await transaction { conn in
            try await self.insertEvent(conn, at: now, kind: kind, endpoint: endpoint, actor: actor, message: message)
        }
    }

    public func events(after: Int64, limit: Int) async throws -> [ControlEvent] {
        try RegistryRules.validateEventLimit(limit)
        return try await transaction { conn in
            try await conn.query("""
                SELECT id, at, kind, endpoint, actor, message FROM events WHERE id > \(after) ORDER BY id LIMIT \(limit)
                """, logger: self.logger).collect().map(Self.event)
        }
    }

    public func newestEvents(limit: Int) async throws -> [ControlEvent] {
        try RegistryRules.validateEventLimit(limit)
        return try await transaction { conn in
            try await conn.query("""
                SELECT id, at, kind, endpoint, actor, message FROM
                    (SELECT id, at, kind, endpoint, actor, message FROM events ORDER BY id DESC LIMIT \(limit)) AS newest
                ORDER BY id
                """, logger: self.logger).collect().map(Self.event)
        }
    }

    static func event(_ row: PostgresRow) throws -> ControlEvent {
        let (id, at, kind, endpoint, actor, message) = try row.decode((Int64, Date, String, String?, String, String).self)
        return ControlEvent(id: id, at: at, kind: try RegistryRules.eventKind(kind, row: "\(id)"), endpoint: endpoint,
                            actor: actor, message: message)
    }

    // MARK: rows

    static let deploymentColumns = "endpoint, model, weights_json, routing_json, revision, updated_at, updated_by, reason"

    func fetchDeployments(_ conn: PostgresConnection, _ query: PostgresQuery) async throws -> [Deployment] {
        try await conn.query(query, logger: logger).collect().map { row in
            let (endpoint, model, weightsJSON, routingJSON, revision, updatedAt, updatedBy, reason) =
                try row.decode((String, String, String, String, Int, Date, String, String?).self)
            return Deployment(
                endpoint: endpoint, model: model,
                weights: try RegistryRules.decodeJSON([TrafficWeight].self, weightsJSON, what: "split of \(endpoint)"),
                routing: try RegistryRules.decodeJSON(DeploymentRouting.self, routingJSON, what: "routing settings of \(endpoint)"),
                revision: revision, updatedAt: updatedAt, updatedBy: updatedBy, reason: reason)
        }
    }

    func requireDeployment(_ conn: PostgresConnection, _ endpoint: String) async throws -> Deployment {
        if let found = try await fetchDeployments(conn, """
            SELECT \(unescaped: Self.deploymentColumns) FROM deployments WHERE endpoint = \(endpoint)
            """).first {
            return found
        }
        let known = try await conn.query("SELECT endpoint FROM deployments ORDER BY endpoint", logger: logger)
            .collect().map { try $0.decode(String.self) }
        throw RegistryRules.endpointNotFound(endpoint, known: known)
    }

    /// A rollout can only start where none is running; the caller holds the endpoint's row lock.
    func writeRollout(_ conn: PostgresConnection, _ write: EndpointChange.RolloutWrite, endpoint: String, at now: Date) async throws {
        switch write {
        case .unchanged:
            return
        case .start(let status):
            let latest = try await fetchRollouts(conn, """
                SELECT id, status_json FROM rollouts WHERE endpoint = \(endpoint) ORDER BY id DESC LIMIT 1
                """).first
            try RegistryRules.requireNoRunningRollout(endpoint, latest: latest)
            let statusJSON = try RegistryRules.json(status)
            try await conn.query("""
                INSERT INTO rollouts (endpoint, state, status_json, updated_at)
                VALUES (\(endpoint), \(status.state.rawValue), \(statusJSON), \(now))
                """, logger: logger)
        case .update(let status):
            guard let id = try await conn.query("SELECT max(id) FROM rollouts WHERE endpoint = \(endpoint)", logger: logger)
                .collect().first.flatMap({ try $0.decode(Int64?.self) }) else {
                throw RegistryRules.noRollout(endpoint)
            }
            let statusJSON = try RegistryRules.json(status)
            try await conn.query("""
                UPDATE rollouts SET state = \(status.state.rawValue), status_json = \(statusJSON), updated_at = \(now)
                WHERE id = \(id)
                """, logger: logger)
        }
    }

    func fetchRollouts(_ conn: PostgresConnection, _ query: PostgresQuery) async throws -> [RolloutStatus] {
        try await conn.query(query, logger: logger).collect().map { row in
            let (id, statusJSON) = try row.decode((Int64, String).self)
            return try RegistryRules.decodeJSON(RolloutStatus.self, statusJSON, what: "rollout \(id)")
        }
    }

    /// Takes the event lock first, so ids become visible in the order they were handed out.
    func insertEvent(_ conn: PostgresConnection, at: Date, kind: ControlEvent.Kind, endpoint: String?, actor: String,
                     message: String) async throws -> ControlEvent {
        try await conn.query("SELECT pg_advisory_xact_lock(\(Self.eventLock))", logger: logger)
        let rows = try await conn.query("""
            INSERT INTO events (at, kind, endpoint, actor, message) VALUES (\(at), \(kind.rawValue), \(endpoint), \(actor), \(message))
            RETURNING id, at
            """, logger: logger).collect()
        guard let row = rows.first else {
            throw NightjarError.corrupt("an event was inserted into \(location) but no id came back")
        }
        let (id, storedAt) = try row.decode((Int64, Date).self)
        return ControlEvent(id: id, at: storedAt, kind: kind, endpoint: endpoint, actor: actor, message: message)
    }
}
