import Foundation
import Testing
import TestSupport

/// What a tired operator types wrong at the prompt, run through the real binary: each mistake is
/// refused at once, naming the flag and the value, before anything is started or sent.
@Suite struct CommandLineMistakesTests {
    static func nightjar(_ arguments: [String]) async -> ChildProcess.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["NIGHTJAR_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-cli-\(UUID().uuidString)").path
        environment["NIGHTJAR_SERVER"] = nil
        return await ChildProcess([DemoUnderTmux.binary.path] + arguments, environment: environment).run()
    }

    @Test func aPortOutOfRangeIsRefusedNotWrapped() async {
        // 99999 used to be taken modulo 65536: the worker listened on 34463.
        for command in [["worker", "--model", "fraud@1.0.0"], ["server"], ["gateway"], ["demo"]] {
            let result = await Self.nightjar(command + ["--port", "99999"])
            #expect(result.status != 0)
            #expect(result.output.contains("'99999' is not a TCP port"), "\(command): \(result.output)")
        }
    }

    @Test func aServerAddressWithoutSchemeIsRefusedWithTheFix() async {
        let result = await Self.nightjar(["models", "--server", "127.0.0.1:7070"])
        #expect(result.status != 0)
        #expect(result.output.contains("did you mean http://127.0.0.1:7070?"), "\(result.output)")
    }

    @Test(.timeLimit(.minutes(1)))
    func nothingListeningIsReportedAtOnce() async throws {
        // A port that was free a moment ago. The shared HTTP client retried the refused connection
        // for its 10 s connect timeout before saying anything.
        let port = try Self.freePort()
        let started = Date()
        let result = await Self.nightjar(["models", "--server", "http://127.0.0.1:\(port)"])
        #expect(result.status != 0)
        #expect(result.output.contains("connection refused"), "\(result.output)")
        #expect(Date().timeIntervalSince(started) < 8, "took \(Date().timeIntervalSince(started)) s")
    }

    @Test func aPortInUseIsNamed() async throws {
        let (socket, port) = try Self.listeningSocket()
        defer { close(socket) }
        let result = await Self.nightjar(["server", "--port", String(port), "--gateway-port", "0"])
        #expect(result.status != 0)
        #expect(result.output.contains("could not listen on 127.0.0.1:\(port): Address already in use"), "\(result.output)")
    }

    @Test func aFlagThePlanDoesNotUseIsRefused() async {
        let result = await Self.nightjar(["rollout", "start", "fraud", "--to", "1.1.0", "--plan", "blue-green", "--steps", "5,100",
                                          "--reason", "release"])
        #expect(result.status != 0)
        #expect(result.output.contains("--steps: only canary plans have steps; blue-green plans do not"), "\(result.output)")
    }

    @Test func aNegativeNumberIsRefusedForWhatItIs() async {
        // ArgumentParser took "-5s" for a flag and answered "Missing value for '--interval'".
        let cases = [(["--interval", "-5s"], "duration '-5s' is not a duration"),
                     (["--max-error-rate", "-0.1"], "error rates are fractions between 0 and 1")]
        for (flags, expected) in cases {
            let result = await Self.nightjar(["rollout", "start", "fraud", "--to", "1.1.0"] + flags + ["--reason", "release"])
            #expect(result.status != 0)
            #expect(result.output.contains(expected), "\(flags): \(result.output)")
        }
    }

    static func listeningSocket() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 1) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    static func freePort() throws -> Int {
        let (fd, port) = try listeningSocket()
        close(fd)
        return port
    }
}
