import AsyncHTTPClient
import Client
import Foundation
import Logging
import NightjarCore
import Registry
import Server
import ServiceSupport
import Testing

/// A control plane on 127.0.0.1 backed by a real SQLite file in a fresh temp folder. The data plane is
/// a recorder, so tests see exactly which routes the control plane hands over and choose the stats it reads.
struct RunningControlPlane {
    let home: URL
    let server: ControlPlaneServer
    let client: ServerClient
    let dataPlane: RecordingDataPlane

    /// The admin token the server wrote on first start.
    var adminToken: String {
        (try? String(contentsOf: home.appendingPathComponent("token"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// A client with a new token of `role` named `name`.
    func client(named name: String, role: AccessRole) async throws -> ServerClient {
        client(token: try await client.createToken(name: name, role: role).token)
    }

    /// A client with another token, or none.
    func client(token: String?) -> ServerClient { ServerClient(baseURL: server.url, token: token) }

    static func start(controlInterval: Duration = .milliseconds(50), heartbeatInterval: TimeInterval = 1,
                      maxArtifactBytes: Int = ControlPlaneServer.Configuration().maxArtifactBytes) async throws -> RunningControlPlane {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-server-\(UUID().uuidString)")
        let registry = try SQLiteRegistry(home: home)
        let dataPlane = RecordingDataPlane()
        var configuration = ControlPlaneServer.Configuration()
        configuration.port = 0
        configuration.gatewayPort = 0
        configuration.controlInterval = controlInterval
        configuration.heartbeatInterval = heartbeatInterval
        configuration.maxArtifactBytes = maxArtifactBytes
        configuration.tokenFile = home.appendingPathComponent("token")
        let server = try await ControlPlaneServer.start(store: registry, dataPlane: dataPlane,
                                                        configuration: configuration, logger: Logger(label: "test"))
        let token = try String(contentsOf: home.appendingPathComponent("token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return RunningControlPlane(home: home, server: server, client: ServerClient(baseURL: server.url, token: token),
                                   dataPlane: dataPlane)
    }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(at: home)
    }
}

@Suite struct ControlPlaneTests {
    let schema = FeatureSchema(inputs: [TensorSpec(name: "features", datatype: .fp32, shape: [-1, 6])],
                               outputs: [TensorSpec(name: "label", datatype: .int64, shape: [-1])])

    /// An oversized body is a 413 naming the limit of the route it was sent to, not the HTTP
    /// framework's default, and nothing is stored. (The reference profile route's 64 MiB limit
    /// goes the same way; sending 64 MiB in a test is too slow on a loaded machine.)
    @Test func oversizedBodiesAre413NamingTheRoutesOwnLimit() async throws {
        let cp = try await RunningControlPlane.start(maxArtifactBytes: 4096)
        defer { Task { await cp.stop() } }
        let ref = try ModelRef(parsing: "fraud@1.0.0")
        do {
            _ = try await cp.client.push(ref, artifact: Data(repeating: 7, count: 5000), schema: schema)
            Issue.record("a 5000-byte push passed a 4096-byte limit")
        } catch {
            #expect(error.description == "the model file of fraud@1.0.0 is larger than this endpoint accepts (4096 bytes)", "\(error)")
        }
        #expect(try await cp.client.models().isEmpty)
    }

    @Test func pushListAndDownloadOverHTTP() async throws {
        let cp = try await RunningControlPlane.start()
        defer { Task { await cp.stop() } }
        let ref = try ModelRef(parsing: "fraud@1.0.0")
        let bytes = Data("model bytes v1".utf8)

        let first = try await cp.client.push(ref, artifact: bytes, schema: schema)
        #expect(first.created)
        #expect(first.version.sha256 == SHA256Hex.of(bytes))

        let again = try await cp.client.push(ref, artifact: bytes, schema: schema)
        #expect(!again.created)

        let models = try await cp.client.models()
        #expect(models.map(\.name) == ["fraud"])
        #expect(models.first?.versions.map(\.version.description) == ["1.0.0"])
        #expect(models.first?.versions.first?.schema == schema)

        let (info, data) = try await cp.client.artifact(ref)
        #expect(data == bytes)
        #expect(info.sizeBytes == bytes.count)
        await cp.stop()
    }

    @Test func refusesOtherBytesForAnExistingVersion() async throws {
        let cp = try await RunningControlPlane.start()
        let ref = try ModelRef(parsing: "fraud@1.0.0")
        let original = try await cp.client.push(ref, artifact: Data("one".utf8), schema: nil)
        do {
            _ = try await cp.client.push(ref, artifact: Data("two".utf8), schema: nil)
            Issue.record("a second push with other bytes was accepted")
        } catch {
            guard case .conflict(let message) = error else {
                Issue.record("expected a conflict, got \(error)")
                return
            }
            #expect(message.contains(original.version.sha256))
        }
        await cp.stop()
    }

    @Test func unknownVersionIsANotFoundWithAMessage() async throws {
        let cp = try await RunningControlPlane.start()
        do {
            _ = try await cp.client.artifact(try ModelRef(parsing: "nosuch@1.0.0"))
            Issue.record("fetching a missing version succeeded")
        } catch {
            guard case .notFound(let message) = error else {
                Issue.record("expected notFound, got \(error)")
                return
            }
            #expect(message.contains("nosuch"))
        }
        await cp.stop()
    }

    @Test func badVersionInURLIsA400NotA500() async throws {
        let cp = try await RunningControlPlane.start()
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(cp.server.api.port)/api/v1/models/fraud/versions/1.0")
        request.method = .PUT
        request.headers.add(name: "Authorization", value: "Bearer \(cp.adminToken)")
        request.body = .bytes(.init(string: "x"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 16)
        #expect(response.status.code == 400)
        let error = try JSONDecoder().decode(StructuredErrorBody.self, from: Data(body.readableBytesView))
        #expect(error.error.code == "invalid_argument")
        #expect(error.error.message.contains("1.0"))
        await cp.stop()
    }

    @Test func workersAnnounceAndGoLostAfterMissedHeartbeats() async throws {
        let directory = WorkerDirectory(heartbeatInterval: 1, missedHeartbeatsForLost: 3)
        let ref = try ModelRef(parsing: "fraud@1.0.0")
        let start = Date()
        await directory.announce(WorkerAnnouncement(id: "w1", model: ref, address: "http://127.0.0.1:9001", pid: 1), at: start)
        #expect(await directory.list(at: start.addingTimeInterval(2.5)).map(\.state) == [.ready])
        #expect(await directory.list(at: start.addingTimeInterval(3.5)).map(\.state) == [.lost])
        await directory.announce(WorkerAnnouncement(id: "w1", model: ref, address: "http://127.0.0.1:9001", pid: 1),
                                 at: start.addingTimeInterval(4))
        #expect(await directory.list(at: start.addingTimeInterval(4.5)).map(\.state) == [.ready])
    }

    @Test func workerRegistrationOverHTTP() async throws {
        // No heartbeats follow the announcement: a loaded machine must not see the worker lost first.
        let cp = try await RunningControlPlane.start(heartbeatInterval: 600)
        let ref = try ModelRef(parsing: "fraud@1.0.0")
        try await cp.client.announce(WorkerAnnouncement(id: "w1", model: ref, address: "http://127.0.0.1:9001", pid: 42))
        let listed = try await cp.client.workers()
        #expect(listed.map(\.id) == ["w1"])
        #expect(listed.first?.state == .ready)
        try await cp.client.withdraw(workerID: "w1")
        #expect(try await cp.client.workers().isEmpty)
        await cp.stop()
    }
}
