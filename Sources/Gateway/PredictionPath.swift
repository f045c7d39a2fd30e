import NIOHTTP1

/// A request the prediction path claims, read from its method and path: OIP inference
/// (`/v2/models/{endpoint}/infer`, `/v2/models/{endpoint}/versions/{v}/infer`) and MLflow scoring
/// (`/invocations` with the endpoint in a header, `/endpoints/{endpoint}/invocations`). Everything
/// else is left to Hummingbird's router.
struct PredictionPath: Equatable {
    enum Endpoint: Equatable {
        case inPath(String)
        /// `POST /invocations`: the endpoint is in the gateway's endpoint header.
        case inHeader
    }

    var endpoint: Endpoint
    /// A version from the path.
    var pinned: String?
    var call: WorkerCall

    /// Nil when the request is not a prediction. Empty segments are skipped as Hummingbird's
    /// router skips them, so `/v2/models/fraud/infer/` is claimed as it was routed before. The
    /// segments are read lazily, not split into an array: this runs for every request.
    init?(method: HTTPMethod, uri: String) {
        guard method == .POST else { return nil }
        let query = uri.firstIndex(of: "?") ?? uri.endIndex
        // The first seven non-empty segments: enough to tell every claimed shape from a longer path.
        var segments: (Substring, Substring, Substring, Substring, Substring, Substring, Substring) = ("", "", "", "", "", "", "")
        var count = 0
        for segment in uri[..<query].lazy.split(separator: "/") {
            switch count {
            case 0: segments.0 = segment
            case 1: segments.1 = segment
            case 2: segments.2 = segment
            case 3: segments.3 = segment
            case 4: segments.4 = segment
            case 5: segments.5 = segment
            default: segments.6 = segment
            }
            count += 1
            if count > 6 { break }
        }
        switch count {
        case 1 where segments.0 == "invocations":
            self.init(endpoint: .inHeader, pinned: nil, call: .invocations)
        case 3 where segments.0 == "endpoints" && segments.2 == "invocations":
            self.init(endpoint: .inPath(String(segments.1)), pinned: nil, call: .invocations)
        case 4 where segments.0 == "v2" && segments.1 == "models" && segments.3 == "infer":
            self.init(endpoint: .inPath(String(segments.2)), pinned: nil, call: .infer)
        case 6 where segments.0 == "v2" && segments.1 == "models" && segments.3 == "versions" && segments.5 == "infer":
            self.init(endpoint: .inPath(String(segments.2)), pinned: String(segments.4), call: .infer)
        default:
            return nil
        }
    }

    private init(endpoint: Endpoint, pinned: String?, call: WorkerCall) {
        self.endpoint = endpoint
        self.pinned = pinned
        self.call = call
    }
}
