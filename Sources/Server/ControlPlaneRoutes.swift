import Foundation
import Hummingbird
import Logging
import NightjarCore
import Registry
import ServiceSupport

/// The control plane's JSON API under `/api/v1`.
public struct ControlPlaneRoutes: Sendable {
    public let registry: any RegistryStore
    public let workers: WorkerDirectory
    public let traffic: TrafficControl
    public let metrics: ServerMetrics
    /// Largest artifact a push may upload.
    public let maxArtifactBytes: Int
    public let events: EventStream
    public let auth: Authenticator
    /// What standalone gateways report of their clients.
    public let replicas: GatewayReplicas
    public let artifactCheck: ArtifactCheck?

    public init(registry: any RegistryStore, workers: WorkerDirectory, traffic: TrafficControl,
                events: EventStream, auth: Authenticator, metrics: ServerMetrics = ServerMetrics(),
                maxArtifactBytes: Int = 512 << 20, replicas: GatewayReplicas = GatewayReplicas(),
                artifactCheck: ArtifactCheck? = nil) {
        self.replicas = replicas
        self.artifactCheck = artifactCheck
        self.registry = registry
        self.workers = workers
        self.traffic = traffic
        self.metrics = metrics
        self.maxArtifactBytes = maxArtifactBytes
        self.events = events
        self.auth = auth
    }

    public func router(logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware(logger: logger, style: .structured))

        router.get("/healthz") { _, _ in try Response.json(["ok": true]) }
        router.get("/api/v1/models") { request, _ in
            _ = try await self.auth.require(.viewer, request, to: "list models")
            return try Response.json(try await self.registry.models())
        }
        router.get("/api/v1/models/:name/versions/:version") { request, context in
            _ = try await self.auth.require(.viewer, request, to: "read a version")
            return try Response.json(try await self.registry.version(try Self.ref(context)))
        }
        router.put("/api/v1/models/:name/versions/:version") { request, context in
            let actor = try await self.auth.require(.admin, request, to: "push a version")
            let ref = try Self.ref(context)
            var schema: FeatureSchema?
            if let value = request.headers[.nightjarSchema] {
                schema = try SchemaHeader.decode(value)
            }
            let metadata = try request.headers[.nightjarMetadata].map(MetadataHeader.decode) ?? VersionMetadata()
            var request = request
            let body = try await request.collectBody(upTo: self.maxArtifactBytes, what: "the model file of \(ref)")
            guard body.readableBytes > 0 else {
                throw NightjarError.invalidArgument("push of \(ref) has an empty body: send the model file's bytes")
            }
            let artifact = Data(buffer: body)
            if let check = self.artifactCheck {
                do { try check(artifact) } catch {
                    throw NightjarError.invalidArgument("\(ref) cannot be served, so it was not stored: \(error)")
                }
            }
            let result = try await self.registry.push(ref, artifact: artifact, schema: schema, metadata: metadata, actor: actor)
            return try Response.json(result, status: result.created ? .created : .ok)
        }
        router.get("/api/v1/models/:name/versions/:version/artifact") { request, context in
            _ = try await self.auth.require(.viewer, request, to: "download an artifact")
            let ref = try Self.ref(context)
            let info = try await self.registry.version(ref)
            let data = try await self.registry.artifact(ref)
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream", .nightjarSha256: info.sha256],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.put("/api/v1/models/:name/versions/:version/reference") { request, context in
            let actor = try await self.auth.require(.admin, request, to: "store a reference profile")
            let ref = try Self.ref(context)
            var request = request
            let body = try await request.collectBody(upTo: 64 << 20, what: "the reference profile of \(ref)")
            try await self.registry.setReference(ref, profileJSON: Data(buffer: body), actor: actor)
            return Response(status: .noContent)
        }
        router.get("/api/v1/models/:name/versions/:version/reference") { request, context in
            _ = try await self.auth.require(.viewer, request, to: "read a reference profile")
            let ref = try Self.ref(context)
            guard let data = try await self.registry.reference(ref) else {
                throw NightjarError.notFound("\(ref) has no reference profile; push one with `nightjar push --reference`")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.patch("/api/v1/models/:name/versions/:version") { request, context in
            let actor = try await self.auth.require(.operator, request, to: "edit a version")
            var request = request
            let edit = try await request.decodeJSON(VersionEdit.self, limit: 64 << 10)
            return try Response.json(try await self.registry.edit(try Self.ref(context), edit, actor: actor))
        }
        router.put("/api/v1/models/:name/aliases/:alias") { request, context in
            var request = request
            let change = try await request.decodeJSON(AliasChange.self, limit: 64 << 10)
            let force = change.force == true
            let actor = try await self.auth.require(force ? .admin : .operator, request,
                                                    to: force ? "force an alias past its promotion rules" : "move an alias")
            let name = context.parameters.get("name") ?? ""
            try ModelRef.validate(name: name)
            return try Response.json(try await self.registry.setAlias(
                model: name, alias: context.parameters.get("alias") ?? "", to: change.version, force: force, actor: actor,
                reason: change.reason))
        }
        router.delete("/api/v1/models/:name/aliases/:alias") { request, context in
            let actor = try await self.auth.require(.operator, request, to: "remove an alias")
            let reason = try QueryParameters(request, known: ["reason"]).text("reason") ?? ""
            guard !reason.isEmpty else { throw NightjarError.invalidArgument("reason: pass ?reason=... for the audit log") }
            try PrintableText.validate(reason, field: "reason")
            try await self.registry.removeAlias(model: context.parameters.get("name") ?? "",
                                                alias: context.parameters.get("alias") ?? "", actor: actor, reason: reason)
            return Response(status: .noContent)
        }
        router.post("/api/v1/gc") { request, _ in
            _ = try await self.auth.require(.admin, request, to: "collect garbage")
            return try Response.json(["removed": try await self.registry.collectGarbage(minimumAge: 3600)])
        }

        router.get("/api/v1/workers") { request, _ in
            _ = try await self.auth.require(.viewer, request, to: "list workers")
            return try Response.json(await self.workers.list())
        }
        router.post("/api/v1/workers") { request, _ in
            _ = try await self.auth.require(.operator, request, to: "announce a worker")
            var request = request
            let announcement = try await request.decodeJSON(WorkerAnnouncement.self, limit: 64 << 10)
            let (info, change) = await self.workers.announce(announcement)
            if let change { try await self.workerChanged(change) }
            return try Response.json(info)
        }
        router.delete("/api/v1/workers/:id") { request, context in
            _ = try await self.auth.require(.operator, request, to: "withdraw a worker")
            let id = context.parameters.get("id") ?? ""
            guard let change = await self.workers.withdraw(id: id) else {
                throw NightjarError.notFound("no worker with id '\(id)'")
            }
            try await self.workerChanged(change)
            return Response(status: .noContent)
        }

        router.post("/api/v1/gateways/:id/stats") { request, context in
            _ = try await self.auth.require(.operator, request, to: "report gateway stats")
            let id = context.parameters.get("id") ?? ""
            var request = request
            let report = try await request.decodeJSON(GatewayStatsReport.self, limit: 16 << 20)
            try GatewayReplicas.validate(report, id: id)
            self.replicas.receive(report)
            return Response(status: .noContent)
        }
        router.get("/api/v1/gateways") { request, _ in
            _ = try await self.auth.require(.viewer, request, to: "list gateways")
            return try Response.json(self.replicas.list())
        }

        router.get("/api/v1/endpoints") { request, _ in
            _ = try await self.auth.require(.viewer, request, to: "list endpoints")
            return try Response.json(try await self.traffic.statuses())
        }
        router.get("/api/v1/endpoints/:endpoint") { request, context in
            _ = try await self.auth.require(.viewer, request, to: "read an endpoint")
            return try Response.json(try await self.traffic.status(Self.endpoint(context)))
        }
        router.put("/api/v1/endpoints/:endpoint") { request, context in
            let actor = try await self.auth.require(.operator, request, to: "shift traffic")
            var request = request
            let change = try await request.decodeJSON(TrafficChange.self, limit: 64 << 10)
            return try Response.json(try await self.traffic.setTraffic(try Self.endpoint(context), change, actor: actor))
        }
        router.post("/api/v1/endpoints/:endpoint/rollback") { request, context in
            let actor = try await self.auth.require(.operator, request, to: "roll back")
            var request = request
            let body = try await request.decodeJSON(RollbackRequest.self, limit: 64 << 10)
            return try Response.json(try await self.traffic.rollback(try Self.endpoint(context), body, actor: actor))
        }
        router.post("/api/v1/endpoints/:endpoint/rollout") { request, context in
            let actor = try await self.auth.require(.operator, request, to: "start a rollout")
            var request = request
            let body = try await request.decodeJSON(RolloutStart.self, limit: 64 << 10)
            let status = try await self.traffic.startRollout(try Self.endpoint(context), body, actor: actor)
            return try Response.json(status, status: .created)
        }
        router.post("/api/v1/endpoints/:endpoint/rollout/:command") { request, context in
            let actor = try await self.auth.require(.operator, request, to: "steer a rollout")
            let name = context.parameters.get("command") ?? ""
            guard let command = RolloutCommand(rawValue: name) else {
                throw NightjarError.notFound(
                    "no rollout command '\(name)'; commands are \(RolloutCommand.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var request = request
            let body = try await request.decodeJSON(ReasonBody.self, limit: 64 << 10)
            return try Response.json(try await self.traffic.command(
                try Self.endpoint(context), command, reason: body.reason, actor: actor))
        }
        router.get("/api/v1/events") { request, _ in
            _ = try await self.auth.require(.viewer, request, to: "read events")
            return try await self.events.response(request)
        }

        router.get("/api/v1/tokens") { request, _ in
            _ = try await self.auth.require(.admin, request, to: "list tokens")
            return try Response.json(try await self.registry.tokens())
        }
        router.post("/api/v1/tokens") { request, _ in
            let actor = try await self.auth.require(.admin, request, to: "create tokens")
            var request = request
            let body = try await request.decodeJSON(AccessTokenRequest.self, limit: 64 << 10)
            let secret = Authenticator.newSecret()
            let info = AccessTokenInfo(name: body.name, role: body.role, createdAt: Date(), createdBy: actor)
            try await self.registry.createToken(info, secretHash: Authenticator.hash(secret))
            return try Response.json(AccessTokenCreated(token: secret, info: info), status: .created)
        }
        router.delete("/api/v1/tokens/:name") { request, context in
            let actor = try await self.auth.require(.admin, request, to: "revoke tokens")
            try await self.registry.revokeToken(name: context.parameters.get("name") ?? "", actor: actor)
            return Response(status: .noContent)
        }
        router.get("/api/v1/audit") { request, _ in
            _ = try await self.auth.require(.viewer, request, to: "read the audit log")
            let limit = try QueryParameters(request, known: ["limit"]).count("limit", in: 1...10_000, default: 100)
            return try Response.json(try await self.registry.auditLog(limit: limit))
        }
        router.get("/metrics") { _, _ in
            let models = try await self.registry.models()
            let workers = await self.workers.list()
            return Response.text(self.metrics.exposition(models: models, workers: workers),
                                 contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        return router
    }

    /// Who is calling, for the audit log. (Until tokens exist, the caller says who it is.)
    static func actor(_ request: Request) -> String {
        let named = request.headers[.nightjarActor]?.trimmingCharacters(in: .whitespaces) ?? ""
        return named.isEmpty ? "anonymous" : named
    }

    static func endpoint(_ context: BasicRequestContext) throws(NightjarError) -> String {
        let name = context.parameters.get("endpoint") ?? ""
        try Deployment.validate(endpoint: name)
        return name
    }

    /// A worker joined, left or came back: the timeline says so and the routing table follows.
    func workerChanged(_ change: WorkerDirectory.Change) async throws {
        try await WorkerEvents.record(change, in: registry)
        try await traffic.syncRoutes()
    }

    static func ref(_ context: BasicRequestContext) throws(NightjarError) -> ModelRef {
        let name = context.parameters.get("name") ?? ""
        let version = context.parameters.get("version") ?? ""
        return try ModelRef(parsing: "\(name)@\(version)")
    }
}
