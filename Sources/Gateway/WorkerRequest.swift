import NIOCore
import NIOHTTP1

/// A request as the gateway sends it to a worker: the worker's path for the call, the client's
/// forwarded headers (`ForwardedHeaders.toWorker`, so none of framing) and body. Framing (`Host`,
/// `Content-Length`) is added per connection.
struct WorkerRequest {
    var method: HTTPMethod
    var path: String
    var headers: HTTPHeaders
    var body: ByteBuffer?
}
