import Hummingbird
import Logging
import NIOCore
import NightjarCore
import ServiceSupport

extension TrafficRouter {
    /// Serves a gateway port: the data plane's routes and the prediction path in front of them.
    /// The one way to start a standalone gateway, so routes and handlers cannot be given apart.
    public func serve(host: String, port: Int, logger: Logger) async throws -> HTTPService {
        let http = Router()
        http.add(middleware: ErrorMiddleware(logger: logger))
        addRoutes(to: http)
        return try await HTTPService(router: http, frontHandlers: { [self] in frontHandlers() }, host: host, port: port, logger: logger)
    }

    /// Adds the data plane's Hummingbird routes (health, readiness, model metadata, `/metrics`) to a
    /// router. They sit in a group with their own `ErrorMiddleware`, so every refusal is a JSON
    /// `{"error": ...}` whatever the router's other middleware. Predictions are not routes:
    /// `frontHandlers()` answers them before Hummingbird sees them, so a gateway port needs both;
    /// `serve(host:port:logger:)` and the control plane's `DataPlane` give both together.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        let routes = router.group().add(middleware: ErrorMiddleware(logger: logger))

        routes.get("/v2/health/live") { _, _ in try Response.json(["live": true]) }
        routes.get("/v2/health/ready") { _, _ in try self.readiness() }
        routes.get("/v2") { _, _ in
            try Response.json(ServerMetadataResponse(name: "nightjar-gateway", version: NightjarBuild.version, extensions: []))
        }
        routes.get("/metrics") { _, _ in
            Response.text(self.prometheusText(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }

        routes.get("/v2/models/:endpoint") { request, context in
            await self.forward(request, endpoint: try context.parameters.require("endpoint"), pinned: nil, call: .modelMetadata)
        }
        routes.get("/v2/models/:endpoint/versions/:version") { request, context in
            await self.forward(request, endpoint: try context.parameters.require("endpoint"),
                               pinned: try context.parameters.require("version"), call: .modelMetadata)
        }
        routes.get("/v2/models/:endpoint/ready") { request, context in
            await self.forward(request, endpoint: try context.parameters.require("endpoint"), pinned: nil, call: .modelReady)
        }
        routes.get("/v2/models/:endpoint/versions/:version/ready") { request, context in
            await self.forward(request, endpoint: try context.parameters.require("endpoint"),
                               pinned: try context.parameters.require("version"), call: .modelReady)
        }
    }

    /// The handlers to put in front of every gateway connection's Hummingbird pipeline
    /// (`HTTPService(frontHandlers:)`): they answer predictions on the connection's event loop and
    /// pass every other request on to the routes of `addRoutes(to:)`. Called once per connection,
    /// on its event loop.
    public func frontHandlers() -> [any RemovableChannelHandler] {
        [DataPlaneChannelHandler(router: self)]
    }

    /// Ready when every version with traffic has at least one worker that is not ejected; otherwise
    /// 503 naming the versions that cannot serve. OIP clients read only the status.
    func readiness() throws -> Response {
        let ejected = pool.ejected()
        var missing: [String] = []
        for plan in currentTable().endpoints.values.sorted(by: { $0.endpoint < $1.endpoint }) {
            for weight in plan.route.deployment.weights where weight.weight > 0 {
                if plan.workers(of: weight.version).allSatisfy({ ejected.contains($0) }) {
                    missing.append("'\(plan.endpoint)' \(weight.version)")
                }
            }
        }
        guard missing.isEmpty else {
            return .error("not ready: no admitted worker for \(missing.joined(separator: ", "))", status: .serviceUnavailable)
        }
        return try Response.json(["ready": true])
    }
}
