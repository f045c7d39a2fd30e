import Hummingbird
import Logging
import NightjarCore

/// Turns every error a handler throws into a JSON answer with a fitting status. Bad input must never
/// surface as a bare 500: NightjarError carries its own status, Hummingbird's HTTPResponseError (body
/// too large, route not found) keeps its status, and only a truly unexpected error is a 500.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// How an error body is shaped.
    public enum Style: Sendable {
        /// `{"error": "..."}`, as the Open Inference Protocol defines it (workers, the gateway).
        case message
        /// `{"error": {"code", "message", "field"}}` (the control plane's API).
        case structured
    }

    let logger: Logger
    let style: Style

    public init(logger: Logger, style: Style = .message) {
        self.logger = logger
        self.style = style
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as NightjarError {
            return answer(code: error.code, message: error.description, field: error.field, status: .init(code: error.httpStatus))
        } catch let error as RequestBodyTooLarge {
            return answer(code: "too_large", message: error.message, field: nil, status: .contentTooLarge)
        } catch let error as any HTTPResponseError {
            let (code, message): (String, String)
            switch error.status {
            // A route that read its body with a limit of its own throws `RequestBodyTooLarge` instead.
            case .contentTooLarge: (code, message) = ("too_large", "request body is larger than this endpoint accepts (\(context.maxUploadSize) bytes)")
            case .notFound: (code, message) = ("no_route", "no route for \(request.method) \(request.uri.path)")
            default: (code, message) = ("http_\(error.status.code)", (error as? HTTPError)?.body ?? error.status.reasonPhrase)
            }
            return answer(code: code, message: message, field: nil, status: error.status)
        } catch {
            logger.error("unexpected error on \(request.method) \(request.uri.path): \(error)")
            return answer(code: "internal", message: "internal error: \(error)", field: nil, status: .internalServerError)
        }
    }

    private func answer(code: String, message: String, field: String?, status: HTTPResponse.Status) -> Response {
        switch style {
        case .message: .error(message, status: status)
        case .structured: .structuredError(StructuredErrorBody(error: .init(code: code, message: message, field: field)), status: status)
        }
    }
}
