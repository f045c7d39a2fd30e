import Hummingbird
import Logging
import NightjarCore

/// Turns every error a handler throws into a JSON `{"error": ...}` answer with a fitting status.
/// Bad input must never surface as a bare 500: NightjarError carries its own status, Hummingbird's
/// HTTPResponseError (body too large, route not found) keeps its status, and only a truly unexpected error is a 500.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as NightjarError {
            return .error(error.description, status: .init(code: error.httpStatus))
        } catch let error as any HTTPResponseError {
            let message: String
            switch error.status {
            case .contentTooLarge: message = "request body is larger than this endpoint accepts (\(context.maxUploadSize) bytes)"
            case .notFound: message = "no route for \(request.method) \(request.uri.path)"
            default: message = (error as? HTTPError)?.body ?? error.status.reasonPhrase
            }
            return .error(message, status: error.status)
        } catch {
            logger.error("unexpected error on \(request.method) \(request.uri.path): \(error)")
            return .error("internal error: \(error)", status: .internalServerError)
        }
    }
}
