import NIOCore
import NIOPosix
import Synchronization

/// A plain TCP connection to a test server: writes bytes exactly as given (pipelined requests,
/// a request cut short) and reads what comes back, so tests see the HTTP/1.1 stream itself.
enum RawConnection {
    /// Writes `bytes`, then reads until the server closes the connection.
    static func exchange(port: Int, _ bytes: String) async throws -> String {
        try await exchange(port: port, bytes, closeAfter: nil).text
    }

    /// Writes `bytes` and reads until the server closes the connection or `closeAfter` passes,
    /// when this side closes it; `serverClosed` tells which.
    static func exchange(port: Int, _ bytes: String, closeAfter: Duration?) async throws -> (text: String, serverClosed: Bool) {
        let channel = try await connect(port: port)
        let gaveUp = Flag()
        let timer = closeAfter.map { wait in
            Task {
                try await Task.sleep(for: wait)
                gaveUp.value.withLock { $0 = true }
                try await channel.channel.close()
            }
        }
        defer { timer?.cancel() }
        let text = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: bytes))
            var text = ""
            for try await chunk in inbound { text += String(buffer: chunk) }
            return text
        }
        return (text, !gaveUp.value.withLock { $0 })
    }

    private final class Flag: Sendable {
        let value = Mutex(false)
    }

    /// Writes `bytes`, waits until `hangUpWhen` holds (checked every 50 ms, 20 s at most), and
    /// closes the connection without reading the answer.
    static func sendAndHangUp(port: Int, _ bytes: String, hangUpWhen: @Sendable () -> Bool) async throws {
        let channel = try await connect(port: port)
        try await channel.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(string: bytes))
            for _ in 0..<400 where !hangUpWhen() { try await Task.sleep(for: .milliseconds(50)) }
        }
    }

    private static func connect(port: Int) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// An HTTP/1.1 request as a client writes it.
    static func request(_ method: String, _ path: String, body: String = "", headers: [String] = []) -> String {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: 127.0.0.1"] + headers
        if method == "POST" { lines += ["Content-Type: application/json", "Content-Length: \(body.utf8.count)"] }
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }
}
