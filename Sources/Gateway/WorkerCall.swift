import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Which worker route a client request becomes. The worker serves its model under the model's
/// name, which may differ from the endpoint's, and serves one version, so the path names neither
/// the endpoint nor a version.
enum WorkerCall: Sendable, Equatable {
    case infer
    case modelMetadata
    case modelReady
    case invocations

    func path(model: String) -> String {
        switch self {
        case .infer: "/v2/models/\(model)/infer"
        case .modelMetadata: "/v2/models/\(model)"
        case .modelReady: "/v2/models/\(model)/ready"
        case .invocations: "/invocations"
        }
    }

    var method: HTTPMethod {
        switch self {
        case .infer, .invocations: .POST
        case .modelMetadata, .modelReady: .GET
        }
    }
}

/// A worker's complete answer, whatever its status.
struct WorkerAnswer: Sendable {
    var worker: String
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer
}

/// Why no answer came back from a worker.
enum WorkerFailure: Error, Sendable {
    /// No HTTP answer: refused, reset, closed mid-answer. Safe to send again, since inference has no side effects.
    case unreachable(worker: String, reason: String)
    case timedOut(worker: String)
    case answerTooLarge(worker: String, limit: Int)
    /// The client's request was cancelled; nothing to blame the worker for.
    case cancelled

    var retriable: Bool {
        if case .unreachable = self { true } else { false }
    }
}
