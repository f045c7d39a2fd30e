import Client
import Foundation
import NightjarCore
import Registry
import Server
import Testing

/// Each role is refused what it may not do, with a message saying why; no token at all is a 401.
@Suite struct AuthTests {
    @Test func firstStartWritesAnAdminTokenReadableOnlyByItsOwner() async throws {
        let cp = try await RunningControlPlane.start()
        let file = cp.home.appendingPathComponent("token")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(cp.adminToken.hasPrefix("nj_"))
        #expect(try await cp.client.tokens().map(\.name) == ["admin"])
        // The database keeps a hash, never the secret.
        let database = try Data(contentsOf: cp.home.appendingPathComponent("registry.sqlite"))
        #expect(database.range(of: Data(cp.adminToken.utf8)) == nil)
        await cp.stop()
    }

    @Test func eachRoleIsRefusedWhatItMayNotDo() async throws {
        let cp = try await RunningControlPlane.start()
        let viewer = try await cp.client(named: "viewer", role: .viewer)
        let operatorClient = try await cp.client(named: "oncall", role: .operator)
        _ = try await cp.client.push(ModelRef(name: "fraud", version: SemVer(1, 0, 0)), artifact: Data("m".utf8), schema: nil)

        func failure(_ call: () async throws -> Void) async -> NightjarError? {
            do { try await call(); return nil } catch let error as NightjarError { return error } catch { return .corrupt("\(error)") }
        }
        // Anonymous: 401 on everything under /api/v1.
        let anonymous = cp.client(token: nil)
        guard case .unauthorized(let message)? = await failure({ _ = try await anonymous.models() }) else {
            Issue.record("no token was not a 401"); return
        }
        #expect(message.contains("Authorization: Bearer"))
        guard case .unauthorized? = await failure({ _ = try await cp.client(token: "nj_wrong").endpoints() }) else {
            Issue.record("an unknown token was not a 401"); return
        }

        // Viewer reads, but may not shift traffic.
        #expect(try await viewer.models().count == 1)
        let shift = TrafficChange(weights: [TrafficWeight(version: SemVer(1, 0, 0), weight: 100)], reason: "r", allowCold: true)
        guard case .forbidden(let denied)? = await failure({ try await viewer.setTraffic("fraud", shift) }) else {
            Issue.record("a viewer shifted traffic"); return
        }
        #expect(denied == "token 'viewer' has role viewer; to shift traffic needs operator or above")

        // Operator shifts traffic but may not push or manage tokens.
        #expect(try await operatorClient.setTraffic("fraud", shift).updatedBy == "oncall")
        guard case .forbidden? = await failure({
            _ = try await operatorClient.push(ModelRef(name: "fraud", version: SemVer(1, 1, 0)), artifact: Data("x".utf8), schema: nil)
        }) else { Issue.record("an operator pushed a version"); return }
        guard case .forbidden? = await failure({ _ = try await operatorClient.createToken(name: "x", role: .admin) }) else {
            Issue.record("an operator created a token"); return
        }

        // A revoked token stops working at once.
        try await cp.client.revokeToken(name: "oncall")
        guard case .unauthorized? = await failure({ _ = try await operatorClient.endpoints() }) else {
            Issue.record("a revoked token still worked"); return
        }
        #expect(try await cp.client.audit(limit: 1).first?.action == "token.revoke")
        await cp.stop()
    }

    @Test func refusesToServeBeyondLoopbackWithoutAuth() async throws {
        var configuration = ControlPlaneServer.Configuration()
        configuration.host = "0.0.0.0"
        configuration.port = 0
        configuration.gatewayPort = 0
        configuration.auth = .disabled
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-auth-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let store = try Registry.SQLiteRegistry(home: home)
        await #expect(throws: NightjarError.self) {
            _ = try await ControlPlaneServer.start(store: store, dataPlane: RecordingDataPlane(),
                                                   configuration: configuration, logger: .init(label: "test"))
        }
    }
}
