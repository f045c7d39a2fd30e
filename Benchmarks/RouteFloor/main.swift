// The floor for `scripts/bench-serving.sh`: a bare Hummingbird 2 route that reads the request body
// and answers a constant, with nothing of Nightjar in it. No server on this machine answers faster,
// so the worker's requests/s over this one is how much of the machine its own work leaves.
// `nightjar-route-floor [PORT]` (0 or none picks a free port) prints the bound port on one line.
import Hummingbird
import Foundation
import NIOCore

let requested = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 0 : 0
let answer = ByteBuffer(string: #"{"model_name":"fraud","model_version":"1.0.0","outputs":[]}"#)
let router = Router()
router.post("/v2/models/:model/infer") { request, _ -> Response in
    var request = request
    _ = try await request.collectBody(upTo: 1 << 20)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: answer))
}
let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: requested), serverName: nil),
    onServerRunning: { channel in
        // Written unbuffered: the script reading the port waits on this line.
        FileHandle.standardOutput.write(Data("\(channel.localAddress?.port ?? requested)\n".utf8))
    }
)
try await app.runService()
