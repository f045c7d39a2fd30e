import AsyncHTTPClient
import Client
import Foundation
import NightjarCore
import Testing

/// The bundled demo models, as pushes that the server's engine check accepts.
enum DemoModelFiles {
    static func data(_ version: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/nightjar/DemoModels/fraud-\(version).onnx"))
    }
}

/// `nightjar server` refuses a push whose bytes the engine cannot load, before storing it: versions are
/// immutable, so a bad one would stay, and `nightjar worker` would fail on it later.
@Suite struct PushValidationTests {
    @Test(.timeLimit(.minutes(2)))
    func aPushTheEngineCannotLoadIsRefusedAndNotStored() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-pushcheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let server = try await KillDuringPushTests.ServerProcess.start(home: home)
        defer { server.kill() }
        let token = try KillDuringPushTests.token(home)

        var request = HTTPClientRequest(url: server.url + "/api/v1/models/fraud/versions/1.9.0")
        request.method = .PUT
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .bytes(.init(string: "garbage"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
        #expect(response.status.code == 400, "\(body)")
        #expect(body.contains("fraud@1.9.0 cannot be served") && body.contains("not an ONNX model"), "\(body)")

        let client = ServerClient(baseURL: server.url, timeoutSeconds: 30, token: token)
        #expect(try await client.models().isEmpty)
        // A real model still goes in.
        let pushed = try await client.push(ModelRef(name: "fraud", version: SemVer(1, 9, 0)), artifact: try DemoModelFiles.data("1.0.0"),
                                           schema: nil)
        #expect(pushed.created)
    }
}
