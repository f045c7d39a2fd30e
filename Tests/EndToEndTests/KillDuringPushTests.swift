import Client
import Foundation
import NightjarCore
import Testing
import TestSupport

/// A push killed at any moment leaves either no version or a complete one: the real server process
/// is SIGKILLed at random points while a large artifact is being pushed, 50 times, and afterwards
/// every listed version must download and match its recorded sha256.
@Suite(.serialized) struct KillDuringPushTests {
    /// A `nightjar server` child process on a free port, with its home. Started with posix_spawn and
    /// reaped with waitpid: Foundation's Process.waitUntilExit was seen to miss a SIGKILLed child's
    /// exit and spin forever on a concurrency thread, and two such hangs stalled the whole run.
    struct ServerProcess {
        let pid: pid_t
        let url: String
        /// The embedded gateway's base URL.
        var gatewayURL: String = ""

        static func start(home: URL) async throws -> ServerProcess {
            let log = home.appendingPathComponent("server-\(UUID().uuidString).log")
            let pid = try ChildProcess([DemoUnderTmux.binary.path, "server", "--port", "0", "--gateway-port", "0", "--home", home.path])
                .start(outputPath: log.path)
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                if let range = text.range(of: #"API on (http://[0-9.:]+)"#, options: .regularExpression),
                   let gateway = text.range(of: #"gateway on (http://[0-9.:]+)"#, options: .regularExpression) {
                    return ServerProcess(pid: pid, url: String(text[range].dropFirst("API on ".count)),
                                         gatewayURL: String(text[gateway].dropFirst("gateway on ".count)))
                }
                var status: Int32 = 0
                guard waitpid(pid, &status, WNOHANG) == 0 else { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            ServerProcess(pid: pid, url: "").kill()
            throw TmuxError(message: "nightjar server did not start; log:\n\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }

        /// SIGKILL, then reap: a killed process exits at once, so the wait is short.
        func kill() {
            Foundation.kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        }
    }

    /// ModelProto's `doc_string` (field 6, length-delimited) as protobuf bytes; appended to a model,
    /// it sets the field and leaves the rest as it was.
    static func docString(_ text: [UInt8]) -> Data {
        var out: [UInt8] = [6 << 3 | 2]
        var length = UInt(text.count)
        while length >= 0x80 {
            out.append(UInt8(length & 0x7f) | 0x80)
            length >>= 7
        }
        out.append(UInt8(length))
        return Data(out + text)
    }

    static func token(_ home: URL) throws -> String {
        try String(contentsOf: home.appendingPathComponent("token"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.timeLimit(.minutes(5)))
    func everyListedVersionIsCompleteAfterKillsDuringPushes() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        var generator = SystemRandomNumberGenerator()
        var completed = 0
        let model = try DemoModelFiles.data("1.0.0")
        for i in 0..<50 {
            let server = try await ServerProcess.start(home: home)
            let client = ServerClient(baseURL: server.url, timeoutSeconds: 30, token: try Self.token(home))
            // 2–8 MB of distinct bytes, so the write takes long enough to be cut at different points. The
            // server stores only models its engine loads, so the bytes are the demo model with a long
            // doc string of random letters.
            let size = Int.random(in: 2_000_000...8_000_000, using: &generator)
            var text = [UInt8](repeating: UInt8(ascii: "a"), count: size)
            for j in stride(from: 0, to: size, by: 4096) { text[j] = UInt8.random(in: UInt8(ascii: "a")...UInt8(ascii: "z"), using: &generator) }
            text.replaceSubrange(0..<4, with: Array(String(format: "%04d", i).utf8))
            let bytes = try model + Self.docString(text)
            let ref = ModelRef(name: "fraud", version: SemVer(1, 0, i))
            let push = Task { try? await client.push(ref, artifact: bytes, schema: nil) }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...120, using: &generator)))
            server.kill()
            if await push.value != nil { completed += 1 }
        }

        let server = try await ServerProcess.start(home: home)
        defer { server.kill() }
        let client = ServerClient(baseURL: server.url, timeoutSeconds: 30, token: try Self.token(home))
        let versions = try await client.models().flatMap(\.versions)
        #expect(versions.count >= completed, "a push the server acknowledged is missing")
        for version in versions {
            // `artifact` re-hashes the download and throws on any mismatch or missing file.
            let (_, data) = try await client.artifact(version.ref)
            #expect(data.count == version.sizeBytes)
        }
        print("kill-during-push: 50 kills, \(completed) pushes acknowledged, \(versions.count) versions listed, all complete")
    }
}
