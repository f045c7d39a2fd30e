import ArgumentParser
import Foundation
import Logging
import Registry
import Server
import ServiceSupport

struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Run the control plane: registry, workers, audit log.")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 7070
    @Option(help: "Where the registry database and artifacts live (env NIGHTJAR_HOME, default ~/.nightjar).")
    var home: String?

    func run() async throws {
        let home = home.map { URL(fileURLWithPath: $0) } ?? Environment.home
        let server = try await ControlPlane.start(home: home, host: host, port: port)
        print("nightjar server listening on \(server.url) (home: \(home.path))")
        await Termination.wait()
        await server.stop()
    }
}

/// A running control plane, as started by `nightjar server` or inside `nightjar demo`.
struct ControlPlane: Sendable {
    let service: HTTPService
    let url: String

    static func start(home: URL, host: String, port: Int) async throws -> ControlPlane {
        let logger = Logger(label: "nightjar.server")
        let registry = try SQLiteRegistry(home: home)
        let routes = ControlPlaneRoutes(registry: registry, workers: WorkerDirectory())
        let service = try await HTTPService(router: routes.router(logger: logger), host: host, port: port, logger: logger)
        return ControlPlane(service: service, url: "http://\(host):\(service.port)")
    }

    func stop() async { await service.stop() }
}
