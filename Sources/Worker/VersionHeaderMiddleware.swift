import Hummingbird
import ServiceSupport

/// Puts `Nightjar-Model-Version` on every answer of the worker, errors included, whatever the
/// protocol, so a caller behind the gateway can always tell which version answered.
struct VersionHeaderMiddleware<Context: RequestContext>: RouterMiddleware {
    let version: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.nightjarModelVersion] = version
        return response
    }
}
