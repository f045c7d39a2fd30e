import Foundation
import NightjarCore
import Testing
import TestSupport

/// The curl examples in docs/http-api.md, run as written against a real server: a reader who
/// pastes them sees what the page says they will.
@Suite struct DocsExamplesTests {
    /// One command of the block and the answer the page promises for it, if any.
    struct Example {
        var command: String
        var expected: String? = nil
    }

    /// A line of the block: a shell assignment (`T=...`), run in place, or an example.
    enum Step {
        case assignment(String)
        case example(Example)
    }

    @Test func controlPlaneExamplesRunAsWritten() async throws {
        let steps = try Self.steps(marker: "<!-- examples: control plane -->")
        let examples = steps.compactMap { step -> Example? in if case .example(let e) = step { e } else { nil } }
        #expect(examples.count >= 15, "the examples block shrank to \(examples.count) commands")

        let cp = try await RunningControlPlane.start(heartbeatInterval: 600)
        defer { Task { await cp.stop() } }
        // The page reads the token from ~/.nightjar and the models from the working folder.
        let home = cp.home.appendingPathComponent("user")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".nightjar"), withIntermediateDirectories: true)
        try cp.adminToken.write(to: home.appendingPathComponent(".nightjar/token"), atomically: true, encoding: .utf8)
        for version in ["1.0.0", "1.1.0"] {
            try FileManager.default.copyItem(at: Self.repository.appendingPathComponent("Sources/nightjar/DemoModels/fraud-\(version).onnx"),
                                             to: home.appendingPathComponent("fraud-\(version).onnx"))
        }
        let port = URL(string: cp.server.url)?.port ?? 0
        let outputs = try await Self.run(steps, home: home, server: "127.0.0.1:\(port)")
            .map { $0.replacingOccurrences(of: "127.0.0.1:\(port)", with: "localhost:7070") }
        #expect(outputs.count == examples.count)

        for (example, output) in zip(examples, outputs) {
            let answer = try? JSONSerialization.jsonObject(with: Data(output.utf8), options: [.fragmentsAllowed])
            #expect(answer != nil, "\(example.command)\nanswered something that is not JSON: \(output)")
            if let expected = example.expected {
                let promised = try JSONSerialization.jsonObject(with: Data(expected.utf8), options: [.fragmentsAllowed])
                #expect(Self.matches(answer as Any, promised), "\(example.command)\nanswered \(output)\nthe page promises \(expected)")
            } else if let object = answer as? [String: Any] {
                #expect(object["error"] == nil, "\(example.command)\nanswered an error: \(output)")
            }
        }
    }

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The shell block after `marker`, joined across `\` continuations, as steps in page order.
    static func steps(marker: String) throws -> [Step] {
        let page = try String(contentsOf: repository.appendingPathComponent("docs/http-api.md"), encoding: .utf8)
        guard let start = page.range(of: marker + "\n```sh\n"),
              let end = page.range(of: "\n```", range: start.upperBound..<page.endIndex) else {
            throw NightjarError.notFound("docs/http-api.md has no ```sh block after \(marker)")
        }
        var lines: [String] = []
        for raw in page[start.upperBound..<end.lowerBound].split(separator: "\n") {
            if let last = lines.last, last.hasSuffix("\\") {
                lines[lines.count - 1] = String(last.dropLast()) + raw.trimmingCharacters(in: .whitespaces)
            } else {
                lines.append(String(raw))
            }
        }
        var steps: [Step] = []
        for line in lines {
            if line.hasPrefix("# → ") {
                guard case .example(var example) = steps.last else {
                    throw NightjarError.invalidArgument("docs/http-api.md: '\(line)' follows no command")
                }
                example.expected = String(line.dropFirst(4))
                steps[steps.count - 1] = .example(example)
            } else if line.hasPrefix("#") {
                continue
            } else if line.range(of: #"^[A-Z]+="#, options: .regularExpression) != nil {
                steps.append(.assignment(line))
            } else {
                steps.append(.example(Example(command: line)))
            }
        }
        return steps
    }

    /// Runs the block as one bash script against `server` (the page says localhost:7070), printing a
    /// marker before each example, and returns each example's output.
    static func run(_ steps: [Step], home: URL, server: String) async throws -> [String] {
        let script = "set -eu\n" + steps.map { step in
            switch step {
            case .assignment(let line): line
            case .example(let example): "printf '\\n@@@example\\n'\n" + example.command
            }
        }.joined(separator: "\n").replacingOccurrences(of: "localhost:7070", with: server)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        let result = await ChildProcess(["/bin/bash", "-c", script], currentDirectory: home.path, environment: environment).run()
        let text = result.output
        guard result.succeeded else {
            throw NightjarError.invalidArgument("the examples script failed (exit \(result.status)):\n\(text)")
        }
        return text.components(separatedBy: "\n@@@example\n").dropFirst().map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Whether `answer` holds everything `promised` does: objects key by key (extra keys allowed),
    /// arrays element by element, strings equal or, when the promise ends with "…", starting with it.
    static func matches(_ answer: Any, _ promised: Any) -> Bool {
        switch promised {
        case let object as [String: Any]:
            guard let answer = answer as? [String: Any] else { return false }
            return object.allSatisfy { key, value in answer[key].map { matches($0, value) } ?? false }
        case let array as [Any]:
            guard let answer = answer as? [Any], answer.count == array.count else { return false }
            return zip(answer, array).allSatisfy { matches($0, $1) }
        case let text as String:
            guard let answer = answer as? String else { return false }
            return text.hasSuffix("…") ? answer.hasPrefix(String(text.dropLast())) : answer == text
        case let number as NSNumber:
            return (answer as? NSNumber) == number
        default:
            return promised is NSNull && answer is NSNull
        }
    }
}
