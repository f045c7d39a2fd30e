import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NightjarCore
import ServiceSupport

/// What the gateway answers a client, whichever way it is written out: the channel handler of the
/// prediction path writes it as HTTP parts, the Hummingbird routes as a `Response`.
struct GatewayAnswer: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer

    /// A worker's answer as relayed to the client.
    init(relaying answer: WorkerAnswer) {
        self.status = .init(code: answer.status)
        self.headers = ForwardedHeaders.toClient(answer.headers)
        self.body = answer.body
    }

    /// The Open Inference Protocol's `{"error": "..."}`, the same body `Response.error` writes.
    static func error(_ message: String, status: HTTPResponse.Status) -> GatewayAnswer {
        let data = (try? WireJSON.encoder().encode(ErrorBody(error: message))) ?? Data(#"{"error":"unencodable error"}"#.utf8)
        return GatewayAnswer(status: status, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: data))
    }

    private init(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    var response: Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
