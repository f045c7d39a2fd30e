import Foundation
import Testing
import TestSupport

/// `nightjar` copied on its own to another machine's folder, as an operator installs it: the
/// console's themes and the demo's models come with it, whatever the working directory.
@Suite struct CopiedBinaryTests {
    static let repositoryThemes = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes")

    @Test(.timeLimit(.minutes(2)))
    func aCopiedBinaryHasItsThemesAndItsDemo() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("nightjar")
        try FileManager.default.copyItem(at: DemoUnderTmux.binary, to: copy)
        var environment = ProcessInfo.processInfo.environment
        environment["NIGHTJAR_HOME"] = folder.appendingPathComponent("home").path
        environment["NO_COLOR"] = nil
        func run(_ arguments: [String]) async -> ChildProcess.Result {
            await ChildProcess([copy.path] + arguments, currentDirectory: folder.path, environment: environment).run()
        }

        // Every theme in the repository is in the binary: each loads, and the console then stops
        // only because this is not a terminal.
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.repositoryThemes.path)
            .filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }.sorted()
        #expect(names.contains("default"))
        for name in names {
            let result = await run(["console", "--server", "http://127.0.0.1:9", "--theme", name])
            #expect(result.output.contains("the console needs a terminal"), "theme \(name): \(result.output)")
        }
        let unknown = await run(["console", "--server", "http://127.0.0.1:9", "--theme", "nosuch"])
        #expect(unknown.status != 0)
        #expect(unknown.output.contains("no theme 'nosuch'") && unknown.output.contains("themes: \(names.joined(separator: ", "))"),
                "\(unknown.output)")

        // The demo pushes its bundled models, starts its workers (the copy again) and gets as far as
        // the console, which needs a terminal; it then stops every worker.
        let demo = await run(["demo", "--port", "0", "--gateway-port", "0"])
        #expect(demo.status != 0)
        #expect(demo.output.contains("the console needs a terminal"), "\(demo.output)")
        let pids = try String(contentsOf: folder.appendingPathComponent("home/demo/demo.pids"), encoding: .utf8)
            .split(separator: "\n").compactMap { Int32($0) }
        #expect(pids.count == 3)
        for pid in pids {
            #expect(kill(pid, 0) != 0, "worker \(pid) survived the demo")
        }
    }
}
