import Client
import Foundation
import NightjarCore
import TestSupport

/// A real `nightjar server` in a fresh home, with the demo's fraud 1.0.0 and 1.1.0 pushed and
/// stand-in workers announcing both, and fraud's split set: where the command-line tests start.
struct FraudServer {
    static let refs = [ModelRef(name: "fraud", version: SemVer(1, 0, 0)), ModelRef(name: "fraud", version: SemVer(1, 1, 0))]

    let home: URL
    let server: KillDuringPushTests.ServerProcess
    let token: String
    let client: ServerClient
    let standIns: StandInWorkers

    static func start(_ name: String, split: [TrafficWeight]) async throws -> FraudServer {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let server = try await KillDuringPushTests.ServerProcess.start(home: home)
        do {
            let token = try KillDuringPushTests.token(home)
            let client = ServerClient(baseURL: server.url, timeoutSeconds: 30, token: token)
            for ref in refs { _ = try await client.push(ref, artifact: try DemoModelFiles.data(ref.version.description), schema: nil) }
            let standIns = try StandInWorkers(refs, server: server.url, token: token)
            let started = FraudServer(home: home, server: server, token: token, client: client, standIns: standIns)
            do {
                _ = try await client.setTraffic("fraud", TrafficChange(weights: split, reason: "launch"))
            } catch {
                started.stop()
                throw error
            }
            return started
        } catch {
            server.kill()
            try? FileManager.default.removeItem(at: home)
            throw error
        }
    }

    /// The binary against this server, acting with its admin token.
    func nightjar(_ arguments: [String]) async -> ChildProcess.Result {
        await PlanFileTests.nightjar(arguments, server: server.url, token: token, home: home)
    }

    func stop() {
        standIns.stop()
        server.kill()
        try? FileManager.default.removeItem(at: home)
    }
}
