import Hummingbird
import NightjarCore
import ServiceSupport

extension TrafficRouter {
    /// Adds the data-plane routes to a Hummingbird router (the lead serves them on the gateway port).
    /// They sit in a group with their own `ErrorMiddleware`, so every refusal is a JSON `{"error": ...}`
    /// whatever the router's other middleware. `/metrics` is left to the caller (`prometheusText()`).
    public func addRoutes(to router: Router<BasicRequestContext>) {
        let routes = router.group().add(middleware: ErrorMiddleware(logger: logger))

        routes.get("/v2/health/live") { _, _ in try Response.json(["live": true]) }
        routes.get("/v2/health/ready") { _, _ in try self.readiness() }
        routes.get("/v2") { _, _ in
            try Response.json(ServerMetadataResponse(name: "nightjar-gateway", version: NightjarBuild.version, extensions: []))
        }

        routes.post("/v2/models/:endpoint/infer") { request, context in
            await self.forward(request, endpoint: try context.parameters.require("endpoint"), pinned: nil, call: .infer)
        }
        routes.post("/v2/models/:endpoint/versions/:version/infer") { request, context in
            await self.forward(request, endpoint: try context.parameters.require("endpoint"),
                               pinned: try context.parameters.require("version"), call: .infer)
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

        // MLflow's scoring protocol has no endpoint in its path: it comes in a header, or in the path
        // of the gateway-only form.
        routes.post("/invocations") { request, _ in
            guard let endpoint = self.header(request, self.configuration.endpointHeader), !endpoint.isEmpty else {
                throw NightjarError.invalidArgument(
                    "POST /invocations needs the endpoint in the \(self.configuration.endpointHeader) header, or POST to /endpoints/{endpoint}/invocations")
            }
            return await self.forward(request, endpoint: endpoint, pinned: nil, call: .invocations)
        }
        routes.post("/endpoints/:endpoint/invocations") { request, context in
            await self.forward(request, endpoint: try context.parameters.require("endpoint"), pinned: nil, call: .invocations)
        }
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
