import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import NightjarCore
import ServiceSupport

/// What the gateway answers a client, whichever way it is written out: the channel handler of the
/// prediction path writes it as HTTP/1 parts, the Hummingbird routes as a `Response`. The header
/// fields are HTTP/1's, as the prediction path relays them.
struct GatewayAnswer: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPHeaders
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
        return GatewayAnswer(status: status, headers: ["content-type": "application/json"], body: ByteBuffer(bytes: data))
    }

    private init(status: HTTPResponse.Status, headers: HTTPHeaders, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    var response: Response {
        var fields = HTTPFields()
        for (name, value) in headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return Response(status: status, headers: fields, body: .init(byteBuffer: body))
    }
}
