import Foundation

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
    /// Sends named keys (`Enter`, `Escape`, `R`): tmux reads each argument as a key name.
    func sendKeys(_ keys: String...) { run(["send-keys", "-t", session] + keys) }
    /// Types text literally, even when it starts with "-".
    func sendText(_ text: String) { run(["send-keys", "-t", session, "-l", "--", text]) }
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
