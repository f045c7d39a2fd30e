import Client
import Foundation
import NightjarCore

/// The real `nightjar demo` running in a real terminal (tmux) under a shell, as an operator starts it:
/// the test reads the screen, types keys, and asks the demo's server what really happened.
struct DemoUnderTmux {
    let tmux: Tmux
    let home: URL
    let errors: URL
    /// Printed by the shell once the demo has exited, with its exit status.
    static let exitMarker = "DEMO-EXITED-"

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

    /// Starts the demo on free ports, in `home` as its NIGHTJAR_HOME (a fresh folder if nil). The shell
    /// around it stays after the demo exits, so the test can see what the terminal looks like afterwards.
    static func start(name: String, width: Int, height: Int, arguments: String = "", home: URL? = nil) async throws -> DemoUnderTmux {
        let home = home ?? FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let errors = home.appendingPathComponent("stderr.txt")
        let tmux = Tmux(session: "nightjar-\(name)-\(ProcessInfo.processInfo.processIdentifier)")
        let demo = "env NIGHTJAR_HOME=\(home.path) LANG=C.UTF-8 TERM=xterm-256color \(binary.path) demo --port 0 --gateway-port 0 \(arguments) 2>\(errors.path)"
        try await tmux.start(command: "sh -c '\(demo); echo \(exitMarker)$?; sleep 120'", width: width, height: height)
        return DemoUnderTmux(tmux: tmux, home: home, errors: errors)
    }

    /// What the demo wrote to stderr, for failure messages.
    var stderr: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    func waitFor(_ what: String, timeout: Double, _ condition: (String) -> Bool) async throws -> String {
        try await tmux.waitFor(timeout: timeout, explain: { "waiting for: \(what)\ndemo stderr:\n\(stderr)" }, condition)
    }

    /// The control plane's URL, read off the header bar the way an operator would.
    func serverURL(from screen: String) throws -> String {
        guard let range = screen.range(of: #"server http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) else {
            throw TmuxError(message: "no server URL in the header bar:\n\(screen)")
        }
        return String(screen[range].dropFirst("server ".count))
    }

    /// Where the demo keeps its registry, logs and pids: a folder of its own in its NIGHTJAR_HOME.
    var demoFolder: URL { home.appendingPathComponent("demo") }

    /// A client acting as the admin whose token the demo's server wrote on first start.
    func client(from screen: String) throws -> ServerClient {
        let token = try String(contentsOf: demoFolder.appendingPathComponent("token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return ServerClient(baseURL: try serverURL(from: screen), actor: "e2e-test", token: token)
    }

    /// The worker processes the demo started.
    func workerPIDs() throws -> [Int32] {
        try String(contentsOf: demoFolder.appendingPathComponent("demo.pids"), encoding: .utf8)
            .split(separator: "\n").compactMap { Int32($0) }
    }

    /// Types a command at the `:` prompt.
    func command(_ text: String) async throws {
        await tmux.sendKeys(":")
        try await Task.sleep(for: .milliseconds(200))
        await tmux.sendText(text)
        await tmux.sendKeys("Enter")
    }

    func stop() {
        tmux.kill()
        try? FileManager.default.removeItem(at: home)
    }
}

/// Screens the tests pass through, kept as text for docs/runbook.md when NIGHTJAR_CAPTURES names a folder.
enum Captures {
    static func save(_ name: String, _ screen: String) {
        guard let folder = ProcessInfo.processInfo.environment["NIGHTJAR_CAPTURES"], !folder.isEmpty else { return }
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let trimmed = screen.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0).replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression) }
            .joined(separator: "\n")
            .trimmingCharacters(in: .newlines)
        try? (trimmed + "\n").write(toFile: folder + "/\(name).txt", atomically: true, encoding: .utf8)
    }
}

/// Reading a screen the way an operator reads it.
enum ScreenText {
    static func lines(_ screen: String) -> [Substring] {
        screen.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// True when no line reaches past `width` columns (every character the demo draws is one column wide).
    static func fits(_ screen: String, width: Int) -> Bool {
        lines(screen).allSatisfy { $0.count <= width }
    }

    /// True when the screen has box-drawing characters left, i.e. the console's frame is still there.
    static func hasFrames(_ screen: String) -> Bool {
        screen.contains { "┌┐└┘│─".contains($0) }
    }

    /// The numbers on the first line below the one containing `label`, in the column where `label` starts.
    static func numbers(under label: String, in screen: String, count: Int) -> [Double] {
        let all = lines(screen)
        guard let row = all.firstIndex(where: { $0.contains(label) }),
              let column = all[row].range(of: label).map({ all[row].distance(from: all[row].startIndex, to: $0.lowerBound) })
        else { return [] }
        return all[(row + 1)...].prefix(count).compactMap { line in
            let characters = Array(line)
            guard characters.count > column else { return nil }
            let token = String(characters[column...]).split(separator: " ").first.map(String.init) ?? ""
            return Double(token)
        }
    }
}
