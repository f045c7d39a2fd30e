import Foundation
import Testing

/// Runs the real `nightjar demo` in a real terminal (tmux), the way an operator would, and checks
/// what they would see and that quitting leaves nothing running.
@Suite(.serialized) struct DemoUnderTmuxTests {
    /// The binary `swift build` put beside this test bundle.
    static var binary: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("nightjar")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/nightjar")
    }

    @Test(.timeLimit(.minutes(3)))
    func demoShowsLiveNumbersAndQuitsCleanly() async throws {
        let binary = Self.binary
        #expect(FileManager.default.isExecutableFile(atPath: binary.path), "build the binary first: \(binary.path)")
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let session = "nightjar-e2e-\(ProcessInfo.processInfo.processIdentifier)"
        let tmux = Tmux(session: session)
        defer {
            tmux.kill()
            try? FileManager.default.removeItem(at: home)
        }
        let errors = home.appendingPathComponent("stderr.txt")
        let command = "env NIGHTJAR_HOME=\(home.path) LANG=C.UTF-8 TERM=xterm-256color \(binary.path) demo --port 0 --gateway-port 0 --rate 60 2>\(errors.path)"
        try tmux.start(command: command, width: 160, height: 48)

        // Live numbers: a worker row for each version with a request rate above zero.
        let screen = try await tmux.waitFor(timeout: 90, explain: { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }) { screen in
            screen.contains("fraud@1.0.0") && screen.contains("fraud@1.1.0") && Self.showsTraffic(screen)
        }
        #expect(screen.contains("fraud"))

        // A resize redraws at the new size without garbage beyond it.
        tmux.resize(width: 100, height: 30)
        let small = try await tmux.waitFor(timeout: 10) { $0.contains("fraud@1.0.0") }
        #expect(small.split(separator: "\n", omittingEmptySubsequences: false).allSatisfy { $0.count <= 100 })

        let pids = try String(contentsOf: home.appendingPathComponent("demo.pids"), encoding: .utf8)
            .split(separator: "\n").compactMap { Int32($0) }
        #expect(pids.count == 3)

        tmux.sendKeys("q")
        let ended = await tmux.waitForExit(timeout: 20)
        #expect(ended, "the demo did not exit after q")
        for pid in pids {
            #expect(kill(pid, 0) != 0, "worker \(pid) survived the demo")
        }
    }

    /// The operator's SSH session drops (here: the tmux session is killed): the console gets SIGHUP,
    /// and the demo must go away with all its workers rather than spin on a terminal that is gone.
    @Test(.timeLimit(.minutes(3)))
    func demoEndsWithItsTerminal() async throws {
        let binary = Self.binary
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let tmux = Tmux(session: "nightjar-hup-\(ProcessInfo.processInfo.processIdentifier)")
        defer { tmux.kill() }
        try tmux.start(command: "env NIGHTJAR_HOME=\(home.path) LANG=C.UTF-8 TERM=xterm-256color \(binary.path) demo --port 0 --gateway-port 0 2>/dev/null",
                       width: 120, height: 40)
        _ = try await tmux.waitFor(timeout: 90) { $0.contains("risk@2.3.0") }
        let pids = try String(contentsOf: home.appendingPathComponent("demo.pids"), encoding: .utf8)
            .split(separator: "\n").compactMap { Int32($0) }
        #expect(pids.count == 3)
        tmux.kill()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, pids.contains(where: { kill($0, 0) == 0 }) {
            try await Task.sleep(for: .milliseconds(200))
        }
        for pid in pids {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "gone"
            #expect(kill(pid, 0) != 0, "worker \(pid) survived its terminal: \(stat)")
        }
    }

    /// True when both versions' rows show a positive requests-per-second figure.
    static func showsTraffic(_ screen: String) -> Bool {
        screen.split(separator: "\n").filter { line in
            line.contains("fraud@") && line.split(separator: " ").contains { token in
                if let v = Double(token), v > 0 { return token.contains(".") }
                return false
            }
        }.count >= 2
    }
}

/// A tmux session driven the way FIELD-NOTES describes.
struct Tmux {
    let session: String

    /// Runs a tmux command and waits for it with waitpid. Output goes through a file, not a pipe: the
    /// tmux server that the first command starts inherits it and would hold a pipe open forever.
    /// (Foundation's Process.waitUntilExit was seen to miss the exit of tmux here, hence posix_spawn.)
    @discardableResult
    func run(_ args: [String]) -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString).out").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = (["tmux"] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The test runner's threads may block or ignore signals, and a spawned process inherits both:
        // tmux (and the demo under it) must see SIGHUP and friends as an operator's shell would.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGHUP, SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        guard posix_spawnp(&pid, "tmux", &actions, &attributes, argv, environ) == 0 else { return (-1, "cannot start tmux") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
        return (exitCode, output)
    }

    func start(command: String, width: Int, height: Int) throws {
        let result = run(["new-session", "-d", "-s", session, "-x", String(width), "-y", String(height), command])
        guard result.status == 0 else { throw TmuxError(message: "tmux new-session failed: \(result.output)") }
    }

    func capture() -> String { run(["capture-pane", "-p", "-t", session]).output }
    func sendKeys(_ keys: String) { run(["send-keys", "-t", session, keys]) }
    func resize(width: Int, height: Int) { run(["resize-window", "-t", session, "-x", String(width), "-y", String(height)]) }
    func kill() { run(["kill-session", "-t", session]) }
    var isRunning: Bool { run(["has-session", "-t", session]).status == 0 }

    func waitFor(timeout: Double, explain: () -> String = { "" }, _ condition: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = capture()
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw TmuxError(message: "screen did not show what was expected within \(timeout) s; last screen:\n\(last)\n\(explain())")
    }

    func waitForExit(timeout: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !isRunning { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }
}

struct TmuxError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
