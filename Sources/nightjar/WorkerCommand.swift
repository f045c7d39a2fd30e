import ArgumentParser
import Client
import Engine
import Foundation
import Logging
import NightjarCore
import ServiceSupport
import Worker

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Serve one model version over the Open Inference Protocol v2.")

    @Option(help: "The version to serve, NAME@X.Y.Z.") var model: String
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 0
    @Option(help: "Largest request body accepted, in bytes.") var maxBodyBytes = 8 << 20
    @Option(help: "Exit when this process id is no longer the parent (used by `nightjar demo`).")
    var parentPid: Int32?
    @OptionGroup var server: ServerAddressOption

    func run() async throws {
        let ref = try ModelRef(parsing: model)
        let control = server.client()
        let (info, artifact) = try await control.artifact(ref)
        let session = try InferenceSession(modelData: artifact)
        let logger = Logger(label: "nightjar.worker")
        let routes = WorkerRoutes(model: ref, servable: EngineServable(session: session), stats: WorkerStats(model: ref),
                                  maxBodyBytes: maxBodyBytes)
        let service = try await HTTPService(router: routes.router(logger: logger), host: host, port: port, logger: logger)
        let address = "http://\(host):\(service.port)"
        let announcement = WorkerAnnouncement(id: UUID().uuidString.lowercased(), model: ref, address: address,
                                              pid: ProcessInfo.processInfo.processIdentifier)
        print("nightjar worker serving \(ref) (sha256 \(info.sha256.prefix(12))) on \(address)")

        let heartbeat = Task {
            while !Task.isCancelled {
                do { try await control.announce(announcement) } catch {
                    logger.warning("heartbeat to \(control.baseURL) failed: \(error)")
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await Termination.wait() }
            if let parentPid {
                group.addTask { await ParentWatch.wait(untilGone: parentPid) }
            }
            await group.next()
            group.cancelAll()
        }
        heartbeat.cancel()
        try? await control.withdraw(workerID: announcement.id)
        await service.stop()
    }
}

/// Ends when the process that started us is gone, so a killed demo never leaves workers behind.
enum ParentWatch {
    static func wait(untilGone parent: Int32) async {
        while !Task.isCancelled {
            if getppid() != parent { return }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}
