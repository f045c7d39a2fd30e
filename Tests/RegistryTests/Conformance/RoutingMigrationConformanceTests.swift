import Foundation
import GRDB
import NightjarCore
import Registry
import Testing

extension StoreConformance {
    /// Databases written before deployments had routing settings open, migrate, and keep their endpoints.
    @Suite struct RoutingMigration {
        /// Puts the database back as the build before routing settings left it: no column, no migration record.
        static func downgrade(_ s: StoreUnderTest) async throws {
            switch s.kind {
            case .sqlite:
                let queue = try DatabaseQueue(path: s.home.url.appendingPathComponent("registry.sqlite").path)
                try await queue.write { db in
                    try db.execute(sql: "ALTER TABLE deployments DROP COLUMN routing_json")
                    try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v6-deployment-routing'")
                }
                try queue.close()
            case .postgres:
                let server = try PostgresServerTrait.required()
                guard let store = s.store as? PostgresRegistry, let database = store.location.split(separator: "/").last else {
                    Issue.record("the postgres fixture did not open a PostgresRegistry")
                    return
                }
                try await server.admin("ALTER TABLE deployments DROP COLUMN routing_json", database: String(database))
                try await server.admin("DELETE FROM schema_migrations WHERE version = '3-deployment-routing'", database: String(database))
            }
        }

        @Test(arguments: StoreKind.allCases) func anOlderDatabaseGainsRoutingSettingsAndKeepsItsEndpoints(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                try await StoreConformance.Deployments.pushTwoVersions(s.store)
                let before = try await s.store.apply(try StoreConformance.Deployments.traffic(["1.0.0": 80, "1.1.0": 20]))
                try await Self.downgrade(s)

                let migrated = try await s.openAnother()
                let kept = try await migrated.deployment("fraud")
                #expect(kept.weights == before.deployment.weights && kept.revision == before.deployment.revision)
                #expect(kept.routing.isEmpty)

                var watching = try StoreConformance.Deployments.traffic(["1.0.0": 100, "1.1.0": 0], reason: "watch")
                watching.routing = StoreConformance.Deployments.watch
                let watched = try await migrated.apply(watching)
                #expect(try await migrated.deployment("fraud").routing == StoreConformance.Deployments.watch)
                #expect(watched.deployment.revision == before.deployment.revision + 1)
            }
        }
    }
}
