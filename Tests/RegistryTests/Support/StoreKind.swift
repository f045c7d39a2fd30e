import Foundation
import NightjarCore
import Registry
import Testing

/// The stores the conformance suite runs against, each on fresh, empty storage.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }
}

/// One test's store, its artifact folder, and a way to open a second store on the same data (another
/// process on the SQLite file, another server replica on the PostgreSQL database).
struct StoreUnderTest: Sendable {
    let kind: StoreKind
    let store: any RegistryStore
    let home: TempHome
    let openAnother: @Sendable () async throws -> any RegistryStore
}

/// Stores a test opened, so each can be shut down whatever the test did.
actor OpenedStores {
    private var stores: [PostgresRegistry] = []

    func add(_ store: PostgresRegistry) { stores.append(store) }

    func shutdownAll() async {
        for store in stores { await store.shutdown() }
        stores = []
    }
}

/// Runs `body` on a fresh store of `kind` and removes its storage afterwards, also when `body` throws.
/// PostgreSQL stores need the `.postgresServer` trait on an enclosing suite.
func withStore(_ kind: StoreKind, _ body: (StoreUnderTest) async throws -> Void) async throws {
    let home = TempHome()
    defer { home.remove() }
    switch kind {
    case .sqlite:
        let store = try SQLiteRegistry(home: home.url)
        try await body(StoreUnderTest(kind: kind, store: store, home: home, openAnother: { try SQLiteRegistry(home: home.url) }))
    case .postgres:
        let server = try PostgresServerTrait.required()
        let database = try await server.createDatabase()
        let opened = OpenedStores()
        let open: @Sendable () async throws -> any RegistryStore = {
            let store = try await PostgresRegistry(location: server.location(database: database),
                                                   artifactRoot: home.url.appendingPathComponent("artifacts"))
            await opened.add(store)
            return store
        }
        do {
            let store = try await open()
            try await body(StoreUnderTest(kind: kind, store: store, home: home, openAnother: open))
        } catch {
            await opened.shutdownAll()
            await server.dropDatabase(database)
            throw error
        }
        await opened.shutdownAll()
        await server.dropDatabase(database)
    }
}
