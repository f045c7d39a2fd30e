import Foundation
import Hummingbird
import NIOCore
import Logging
import NightjarCore
import Registry
import ServiceSupport

/// A running control plane: the `/api/v1` API on one port, the data plane's routes on another, and
/// the background loop that notices lost workers and runs rollout analysis.
public final class ControlPlaneServer: Sendable {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 7070
        public var gatewayPort = 8080
        /// How often rollouts are analysed and lost workers looked for. Analysis twice a second keeps
        /// the time from bad stats to traffic back on stable well under two seconds.
        public var controlInterval: Duration = .milliseconds(500)
        public var heartbeatInterval: TimeInterval = 1
        /// How often workers' drift reports are read.
        public var driftPollInterval: Duration = .seconds(2)
        public var auth: Authenticator.Mode = .tokens
        /// Where the first start writes the admin token (mode 0600); nil writes none.
        public var tokenFile: URL?
        /// Largest model file a push may send; larger pushes get 413 naming this limit.
        public var maxArtifactBytes = 512 << 20
        /// Refuses an artifact the engine cannot load, before it is stored (versions are immutable, so a
        /// bad one would stay). The Server target may not import the Engine (DESIGN.md's module map), so
        /// the executable that wires both (`nightjar server`) supplies the engine's load here. Nil stores
        /// any bytes: only tests that push stand-in artifacts leave it out.
        public var artifactCheck: ArtifactCheck?

        public init() {}

        /// Whether `host` is reachable only from this machine.
        public var isLoopback: Bool {
            host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }
    }

    public let api: HTTPService
    public let gateway: HTTPService
    public let traffic: TrafficControl
    public let url: String
    public let gatewayURL: String
    private let events: EventStream
    private let loop: Task<Void, Never>

    private init(api: HTTPService, gateway: HTTPService, traffic: TrafficControl, events: EventStream, loop: Task<Void, Never>,
                 host: String) {
        self.api = api
        self.gateway = gateway
        self.traffic = traffic
        self.events = events
        self.loop = loop
        self.url = "http://\(host):\(api.port)"
        self.gatewayURL = "http://\(host):\(gateway.port)"
    }

    /// Starts both listeners and the control loop; the gateway port serves the data plane's routes
    /// and its front handlers (the prediction path).
    public static func start(store: any RegistryStore, dataPlane: any DataPlane,
                             configuration: Configuration = .init(), logger: Logger) async throws -> ControlPlaneServer {
        if configuration.auth == .disabled && !configuration.isLoopback {
            throw NightjarError.invalidArgument(
                "refusing to serve on \(configuration.host) without authentication: anyone who can reach it could shift "
                    + "traffic. Keep tokens on, or bind 127.0.0.1")
        }
        if configuration.auth == .tokens, let file = configuration.tokenFile,
           try await Authenticator.bootstrap(store: store, tokenFile: file) {
            logger.notice("first start: wrote an admin token to \(file.path)")
        }
        let workers = WorkerDirectory(heartbeatInterval: configuration.heartbeatInterval)
        let events = EventStream(store: store)
        let drift = DriftPoller()
        let replicas = GatewayReplicas()
        let traffic = TrafficControl(store: store, workers: workers, dataPlane: CombinedDataPlane(local: dataPlane, replicas: replicas),
                                     drift: drift)
        let routes = ControlPlaneRoutes(registry: store, workers: workers, traffic: traffic, events: events,
                                        auth: Authenticator(store: store, mode: configuration.auth),
                                        maxArtifactBytes: configuration.maxArtifactBytes, replicas: replicas,
                                        artifactCheck: configuration.artifactCheck)
        let api = try await HTTPService(router: routes.router(logger: logger), host: configuration.host,
                                        port: configuration.port, logger: logger)
        let gatewayRouter = Router()
        gatewayRouter.add(middleware: ErrorMiddleware(logger: logger))
        dataPlane.addRoutes(to: gatewayRouter)
        let gateway: HTTPService
        do {
            gateway = try await HTTPService(router: gatewayRouter, frontHandlers: { dataPlane.frontHandlers() }, host: configuration.host,
                                            port: configuration.gatewayPort, logger: logger)
        } catch {
            await api.stop()
            throw error
        }
        try await traffic.syncRoutes()
        let loop = Task {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    await ControlLoop(store: store, workers: workers, traffic: traffic, logger: logger)
                        .run(every: configuration.controlInterval)
                }
                // On its own clock: a worker slow to answer must never delay rollout analysis.
                group.addTask {
                    while !Task.isCancelled {
                        await drift.poll(await workers.list())
                        try? await Task.sleep(for: configuration.driftPollInterval)
                    }
                }
            }
        }
        return ControlPlaneServer(api: api, gateway: gateway, traffic: traffic, events: events, loop: loop,
                                  host: configuration.host)
    }

    public func stop() async {
        loop.cancel()
        events.close()
        await gateway.stop()
        await api.stop()
    }
}

/// The control plane's heartbeat: lost workers become events and leave the routing table; running
/// rollouts are analysed and moved.
struct ControlLoop: Sendable {
    let store: any RegistryStore
    let workers: WorkerDirectory
    let traffic: TrafficControl
    let logger: Logger

    func run(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                let changes = await workers.sweep()
                for change in changes { try await WorkerEvents.record(change, in: store) }
                // Routes are rebuilt every pass: a worker that stopped heartbeating must stop getting traffic
                // even when nothing else changes.
                try await traffic.syncRoutes()
                try await traffic.analyseRollouts()
            } catch {
                logger.error("control loop: \(error)")
            }
            try? await Task.sleep(for: interval)
        }
    }
}
