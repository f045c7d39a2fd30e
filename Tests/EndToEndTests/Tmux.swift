import Foundation
import TestSupport

/// A tmux session driven the way FIELD-NOTES describes.
struct Tmux {
    let session: String

    /// Runs a tmux command; see ChildProcess for why not Foundation's Process. The tmux server and
    /// the demo under it get default signal handling, as from an operator's shell.
    @discardableResult
    func run(_ args: [String]) async -> (status: Int32, output: String) {
        let result = await ChildProcess(["tmux"] + args).run()
        return (result.status, result.output)
    }

    func start(command: String, width: Int, height: Int) async throws {
        let result = await run(["new-session", "-d", "-s", session, "-x", String(width), "-y", String(height), command])
        guard result.status == 0 else { throw TmuxError(message: "tmux new-session failed: \(result.output)") }
    }

    func capture() async -> String { await run(["capture-pane", "-p", "-t", session]).output }
    /// Sends named keys (`Enter`, `Escape`, `R`): tmux reads each argument as a key name.
    func sendKeys(_ keys: String...) async { await run(["send-keys", "-t", session] + keys) }
    /// Types text literally, even when it starts with "-".
    func sendText(_ text: String) async { await run(["send-keys", "-t", session, "-l", "--", text]) }
    func resize(width: Int, height: Int) async { await run(["resize-window", "-t", session, "-x", String(width), "-y", String(height)]) }
    /// Synchronous so a `defer` can call it: tmux answers a kill at once.
    func kill() { _ = ChildProcess(["tmux", "kill-session", "-t", session]).runBlocking() }
    var isRunning: Bool { get async { await run(["has-session", "-t", session]).status == 0 } }

    func waitFor(timeout: Double, explain: () -> String = { "" }, _ condition: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = await capture()
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw TmuxError(message: "screen did not show what was expected within \(timeout) s; last screen:\n\(last)\n\(explain())")
    }

    func waitForExit(timeout: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if await !isRunning { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }
}

struct TmuxError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
