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
    public let metrics: ServerMetrics
    /// Largest artifact a push may upload.
    public let maxArtifactBytes: Int

    public init(registry: any RegistryStore, workers: WorkerDirectory, metrics: ServerMetrics = ServerMetrics(),
                maxArtifactBytes: Int = 512 << 20) {
        self.registry = registry
        self.workers = workers
        self.metrics = metrics
        self.maxArtifactBytes = maxArtifactBytes
    }

    public func router(logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware(logger: logger))

        router.get("/healthz") { _, _ in try Response.json(["ok": true]) }
        router.get("/api/v1/models") { _, _ in try Response.json(try await self.registry.models()) }
        router.get("/api/v1/models/:name/versions/:version") { _, context in
            try Response.json(try await self.registry.version(try Self.ref(context)))
        }
        router.put("/api/v1/models/:name/versions/:version") { request, context in
            let ref = try Self.ref(context)
            var schema: FeatureSchema?
            if let value = request.headers[.nightjarSchema] {
                schema = try SchemaHeader.decode(value)
            }
            var request = request
            let body = try await request.collectBody(upTo: self.maxArtifactBytes)
            guard body.readableBytes > 0 else {
                throw NightjarError.invalidArgument("push of \(ref) has an empty body: send the model file's bytes")
            }
            let actor = request.headers[.nightjarActor] ?? "anonymous"
            let result = try await self.registry.push(ref, artifact: Data(buffer: body), schema: schema, actor: actor)
            return try Response.json(result, status: result.created ? .created : .ok)
        }
        router.get("/api/v1/models/:name/versions/:version/artifact") { _, context in
            let ref = try Self.ref(context)
            let info = try await self.registry.version(ref)
            let data = try await self.registry.artifact(ref)
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream", .nightjarSha256: info.sha256],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/api/v1/workers") { _, _ in try Response.json(await self.workers.list()) }
        router.post("/api/v1/workers") { request, _ in
            var request = request
            let announcement = try await request.decodeJSON(WorkerAnnouncement.self, limit: 64 << 10)
            return try Response.json(await self.workers.announce(announcement))
        }
        router.delete("/api/v1/workers/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard await self.workers.withdraw(id: id) else {
                throw NightjarError.notFound("no worker with id '\(id)'")
            }
            return Response(status: .noContent)
        }
        router.get("/api/v1/audit") { request, _ in
            let limit = request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 100
            guard (1...10_000).contains(limit) else {
                throw NightjarError.invalidArgument("limit must be between 1 and 10000, got \(limit)")
            }
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

    static func ref(_ context: BasicRequestContext) throws(NightjarError) -> ModelRef {
        let name = context.parameters.get("name") ?? ""
        let version = context.parameters.get("version") ?? ""
        return try ModelRef(parsing: "\(name)@\(version)")
    }
}
