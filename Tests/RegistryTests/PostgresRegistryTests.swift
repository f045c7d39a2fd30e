import Foundation
import NightjarCore
import Registry
import Testing

/// What only the PostgreSQL store has to get right: several server replicas on one database, and a
/// schema that is migrated, not assumed.
@Suite(.postgresServer) struct PostgresRegistryTests {
    static func split(_ a: Int, _ b: Int) -> [TrafficWeight] {
        [TrafficWeight(version: SemVer(1, 0, 0), weight: a), TrafficWeight(version: SemVer(1, 1, 0), weight: b)]
    }

    static func change(_ weights: [TrafficWeight], expectedRevision: Int?, actor: String) -> EndpointChange {
        EndpointChange(endpoint: "fraud", weights: weights, expectedRevision: expectedRevision, actor: actor, action: "traffic",
                       reason: "shift", eventKind: .trafficChanged)
    }

    /// Outcomes of `changes` applied all at once, spread over `replicas`.
    static func applyConcurrently(_ changes: [EndpointChange], over replicas: [any RegistryStore])
        async -> [Result<EndpointChangeResult, any Error>] {
        await withTaskGroup(of: Result<EndpointChangeResult, any Error>.self) { group in
            for (i, change) in changes.enumerated() {
                let replica = replicas[i % replicas.count]
                group.addTask {
                    do { return .success(try await replica.apply(change)) } catch { return .failure(error) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func replicasApplyingOneRevisionConcurrentlyLetExactlyOneWin() async throws {
        try await withStore(.postgres) { s in
            let replicas = [s.store, try await s.openAnother()]
            for v in ["1.0.0", "1.1.0"] {
                _ = try await replicas[0].push(try ref("fraud@\(v)"), artifact: Data(v.utf8), schema: nil, actor: "ci")
            }
            _ = try await replicas[1].apply(Self.change(Self.split(100, 0), expectedRevision: nil, actor: "setup"))

            let changes = (1...10).map { i in Self.change(Self.split(100 - i, i), expectedRevision: 1, actor: "operator-\(i)") }
            let outcomes = await Self.applyConcurrently(changes, over: replicas)

            let winners = outcomes.compactMap { try? $0.get() }
            let losers = outcomes.compactMap { if case .failure(let e) = $0 { e } else { nil } }
            #expect(winners.count == 1)
            #expect(losers.count == 9)
            #expect(losers.allSatisfy { isConflict($0, containing: ["changed since you looked", "you edited revision 1, it is now revision 2"]) })
            let winner = try #require(winners.first)
            #expect(winner.deployment.revision == 2)
            for replica in replicas {
                #expect(try await replica.deployment("fraud") == winner.deployment)
                let traffic = try await replica.auditLog(limit: 100).filter { $0.action == "traffic" }
                #expect(traffic.map(\.actor) == [winner.deployment.updatedBy, "setup"])
                let events = try await replica.events(after: 0, limit: 100)
                #expect(events.count == 2 && events.last == winner.event)
            }
        }
    }

    @Test func replicasCreatingOneEndpointAtOnceLoseNoChange() async throws {
        try await withStore(.postgres) { s in
            let replicas = [s.store, try await s.openAnother()]
            for v in ["1.0.0", "1.1.0"] {
                _ = try await replicas[0].push(try ref("fraud@\(v)"), artifact: Data(v.utf8), schema: nil, actor: "ci")
            }
            // No expected revision: every change applies, one after the other, each on top of the last.
            let changes = (1...6).map { i in Self.change(Self.split(100 - i, i), expectedRevision: nil, actor: "operator-\(i)") }
            let outcomes = await Self.applyConcurrently(changes, over: replicas)
            let results = try outcomes.map { try $0.get() }
            #expect(results.map(\.deployment.revision).sorted() == Array(1...6))
            let final = try await replicas[1].deployment("fraud")
            #expect(final.revision == 6)
            #expect(results.first { $0.deployment.revision == 6 }?.deployment == final)
            #expect(try await replicas[0].auditLog(limit: 100).filter { $0.action == "traffic" }.count == 6)
            #expect(try await replicas[0].events(after: 0, limit: 100).count == 6)
        }
    }

    @Test func concurrentTokenCreationOnTwoReplicasKeepsOne() async throws {
        try await withStore(.postgres) { s in
            let replicas = [s.store, try await s.openAnother()]
            let at = Date(timeIntervalSince1970: 1_790_000_000)
            let outcomes = await withTaskGroup(of: (any Error)?.self) { group in
                for i in 0..<6 {
                    let replica = replicas[i % 2]
                    group.addTask {
                        do {
                            try await replica.createToken(AccessTokenInfo(name: "ci", role: .admin, createdAt: at, createdBy: "r\(i)"),
                                                          secretHash: "hash-\(i)")
                            return nil
                        } catch { return error }
                    }
                }
                return await group.reduce(into: [(any Error)?]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == nil }.count == 1)
            #expect(outcomes.compactMap { $0 }.allSatisfy {
                ($0 as? NightjarError) == .conflict("a token named 'ci' already exists; revoke it first or pick another name")
            })
            #expect(try await replicas[1].tokens().map(\.name) == ["ci"])
            #expect(try await replicas[0].auditLog(limit: 100).filter { $0.action == "token.create" }.count == 1)
        }
    }

    @Test func theSchemaIsMigratedOnceAndANewerDatabaseIsRefused() async throws {
        let server = try PostgresServerTrait.required()
        try await withStore(.postgres) { s in
            _ = try await s.store.push(try ref("fraud@1.0.0"), artifact: Data("a".utf8), schema: nil, actor: "ci")
            // Opening again finds the schema current and keeps the data.
            let again = try await s.openAnother()
            #expect(try await again.models().map(\.name) == ["fraud"])

            guard let store = s.store as? PostgresRegistry else {
                Issue.record("the postgres fixture did not open a PostgresRegistry")
                return
            }
            let database = String(store.location.split(separator: "/").last ?? "")
            try await server.admin("INSERT INTO schema_migrations (version, applied_at) VALUES ('v999-from-the-future', now())",
                                   database: database)
            await #expect {
                _ = try await s.openAnother()
            } throws: { error in
                guard case NightjarError.corrupt(let message) = error else { return false }
                return message.contains("newer Nightjar") && message.contains("v999-from-the-future") && message.contains(store.location)
            }
        }
    }

    @Test func aDatabaseThatDoesNotExistIsNamedInTheError() async throws {
        let server = try PostgresServerTrait.required()
        let home = TempHome()
        defer { home.remove() }
        let location = server.location(database: "no_such_database")
        await #expect {
            _ = try await PostgresRegistry(location: location, artifactRoot: home.url.appendingPathComponent("artifacts"))
        } throws: { error in
            guard case NightjarError.unavailable(let message) = error else { return false }
            return message.contains("postgres://nightjar@127.0.0.1:\(server.port)/no_such_database")
                && message.contains("does not exist")
        }
    }

    @Test func aServerThatIsNotThereIsNamedInTheError() async throws {
        // A loopback port bound but not listening refuses connections for as long as it stays bound.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let home = TempHome()
        defer { home.remove() }
        let location = RegistryStoreURL.PostgresLocation(host: "127.0.0.1", port: port, user: "nightjar", database: "nightjar")
        await #expect {
            _ = try await PostgresRegistry(location: location, artifactRoot: home.url.appendingPathComponent("artifacts"))
        } throws: { error in
            guard case NightjarError.unavailable(let message) = error else { return false }
            return message.contains("cannot connect to the registry database postgres://nightjar@127.0.0.1:\(port)/nightjar")
                && message.contains("check the --store URL")
        }
    }
}
