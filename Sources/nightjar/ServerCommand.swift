import ArgumentParser
import Engine
import Foundation
import Gateway
import Hummingbird
import Logging
import Registry
import Server
import ServiceSupport

struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the control plane (registry, endpoints, rollouts, audit log) with the gateway embedded.")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Control plane API port (0 picks a free one).", transform: PortArgument.parse) var port: Int = 7070
    @Option(help: "Gateway port: clients send predictions here (0 picks a free one).", transform: PortArgument.parse) var gatewayPort: Int = 8080
    @Option(help: "Where the registry database and artifacts live (env NIGHTJAR_HOME, default ~/.nightjar).")
    var home: String?
    @Option(help: "Where the registry lives: sqlite (default, HOME/registry.sqlite) or postgres://user[:password]@host[:port]/database. Artifacts stay under HOME/artifacts, which replicas must share.")
    var store: String?
    @Option(help: "tokens: every API call needs a bearer token (an admin one is written to HOME/token on first start); off: no checks, loopback only.")
    var auth = "tokens"
    @Option(help: "Largest model file a push may send, in MiB; larger pushes get 413.") var maxArtifactMib = 512

    func run() async throws {
        let home = home.map { URL(fileURLWithPath: $0) } ?? Environment.home
        let mode: Authenticator.Mode
        switch auth {
        case "tokens": mode = .tokens
        case "off": mode = .disabled
        default: throw CommandFailure("--auth: '\(auth)' is not a mode; use tokens or off")
        }
        guard (1...(1 << 20)).contains(maxArtifactMib) else {
            throw CommandFailure("--max-artifact-mib: \(maxArtifactMib) is out of range; give 1 to 1048576 MiB")
        }
        let server = try await ControlPlane.start(home: home, host: host, port: port, gatewayPort: gatewayPort, auth: mode, store: store,
                                                  maxArtifactBytes: maxArtifactMib << 20)
        // Written straight to the file descriptor: scripts and tests wait for this line, and print's
        // buffer would hold it back when stdout is a pipe or a file.
        FileHandle.standardOutput.write(Data(
            "nightjar server: API on \(server.url), gateway on \(server.gatewayURL) (home: \(home.path))\n".utf8))
        await Termination.wait()
        await server.stop()
    }
}

/// A running control plane with its embedded gateway, as started by `nightjar server` or inside `nightjar demo`.
struct ControlPlane: Sendable {
    let server: ControlPlaneServer

    var url: String { server.url }
    var gatewayURL: String { server.gatewayURL }

    static func start(home: URL, host: String, port: Int, gatewayPort: Int,
                      auth: Authenticator.Mode = .tokens, store: String? = nil,
                      maxArtifactBytes: Int = ControlPlaneServer.Configuration().maxArtifactBytes) async throws -> ControlPlane {
        // The embedded gateway's requests each get a logger tagged with an id; format it only if a line is written.
        let logger = Logger(label: "nightjar.server") { DeferredMetadataLogHandler(label: $0) }
        let registry = try await RegistryStoreURL(parsing: store, home: home).open(logger: logger)
        let router = TrafficRouter(logger: logger)
        var configuration = ControlPlaneServer.Configuration()
        configuration.host = host
        configuration.port = port
        configuration.gatewayPort = gatewayPort
        configuration.auth = auth
        configuration.maxArtifactBytes = maxArtifactBytes
        configuration.tokenFile = home.appendingPathComponent("token")
        // The same load `nightjar push` and the worker do: bytes the engine refuses never become a version.
        configuration.artifactCheck = { data in _ = try InferenceSession(modelData: data) }
        let server = try await ControlPlaneServer.start(store: registry, dataPlane: router, configuration: configuration, logger: logger)
        return ControlPlane(server: server)
    }

    func stop() async { await server.stop() }
}
