import ArgumentParser
import Foundation
import Gateway
import Hummingbird
import Logging
import ServiceSupport

/// `nightjar gateway`: the data plane alone, as a stateless replica of a control plane's gateway.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run a gateway alone, routing by the deployments of a control plane (a stateless replica).",
        discussion: """
            Example: nightjar gateway --server http://cp.internal:7070 --port 8080
            It reads endpoints and ready workers from the control plane whenever its event stream
            announces a change, and every --poll-interval besides; it keeps serving the last routes it
            knew while the control plane cannot be reached. Every --poll-interval it reports what its
            clients saw to the control plane, whose rollout analysis and console count it with the
            embedded gateway's. Its token needs the operator role to report (the viewer role only
            routes; NIGHTJAR_TOKEN, or NIGHTJAR_HOME/token).
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port clients send predictions to (0 picks a free one).", transform: PortArgument.parse) var port: Int = 8080
    @Option(name: .customLong("server"), help: "The control plane to follow (env NIGHTJAR_SERVER).")
    var serverURL: String = Environment.value("NIGHTJAR_SERVER") ?? "http://127.0.0.1:7070"
    @Option(help: "How often to read the control plane besides when its events announce a change, e.g. 500ms, 1s.")
    var pollInterval = "1s"
    @Option(help: "This replica's name in its stats reports (default HOSTNAME:PORT).") var id: String?

    func validate() throws {
        try ServerURLArgument.validate(serverURL)
    }

    func run() async throws {
        let interval = try Self.duration(pollInterval)
        // Hummingbird tags every request's logger with an id; this handler formats it only if a line is written.
        let logger = Logger(label: "nightjar.gateway") { DeferredMetadataLogHandler(label: $0) }
        let router = TrafficRouter(logger: logger)
        let gatewayID = id ?? "\(ProcessInfo.processInfo.hostName):\(port)"
        let follower = ControlPlaneFollower(serverURL: serverURL, gatewayID: gatewayID, token: Environment.token, router: router, logger: logger)
        // The first read must work: a replica that starts with no routes would refuse every request.
        let routes = try await follower.refresh()
        let service = try await router.serve(host: host, port: port, logger: logger)
        let following = Task { await follower.run(every: interval) }
        FileHandle.standardOutput.write(Data(
            "nightjar gateway: on http://\(host):\(service.port), following \(serverURL) (\(routes.count) endpoints)\n".utf8))
        await Termination.wait()
        following.cancel()
        await service.stop()
    }

    /// "500ms", or what `DurationText` reads ("1s", "2m").
    static func duration(_ text: String) throws -> Duration {
        if text.hasSuffix("ms"), let ms = Int(text.dropLast(2)), ms > 0 { return .milliseconds(ms) }
        return .milliseconds(Int(try DurationText.seconds(text) * 1000))
    }
}
