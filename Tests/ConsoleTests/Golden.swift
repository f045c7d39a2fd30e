import Foundation
import Testing
@testable import Console

/// Golden screens: the rendered characters and the role grid (one letter per cell, see
/// `Role.code`) stored under `Tests/ConsoleTests/Golden/`. `NIGHTJAR_UPDATE_GOLDEN=1 swift test`
/// rewrites them; review the diff like code.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static var updating: Bool { ProcessInfo.processInfo.environment["NIGHTJAR_UPDATE_GOLDEN"] == "1" }

    static func check(_ buffer: CellBuffer, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        compare(buffer.text(), file: "\(name).txt", sourceLocation: sourceLocation)
        compare(buffer.roleGrid(), file: "\(name).roles", sourceLocation: sourceLocation)
    }

    /// The same screen as a theme draws it without colour: one character per cell for its
    /// attributes (`.` none, else a hex digit: bold 1, underline 2, reverse 4, dim 8). What a mono or
    /// `NO_COLOR` operator can tell apart is exactly what differs here.
    static func checkStyles(_ buffer: CellBuffer, theme: Theme, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let grid = (0..<buffer.height).map { y in
            String((0..<buffer.width).map { x -> Character in
                let style = theme.style(buffer[x, y].role)
                let bits = (style.bold ? 1 : 0) | (style.underline ? 2 : 0) | (style.reverse ? 4 : 0) | (style.dim ? 8 : 0)
                return bits == 0 ? "." : Character(String(bits, radix: 16))
            })
        }.joined(separator: "\n")
        compare(grid, file: "\(name).styles", sourceLocation: sourceLocation)
    }

    static let themes = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("themes")

    static func compare(_ actual: String, file: String, sourceLocation: SourceLocation) {
        let url = directory.appendingPathComponent(file)
        if updating {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? (actual + "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("no golden file \(file); run with NIGHTJAR_UPDATE_GOLDEN=1 to write it", sourceLocation: sourceLocation)
            return
        }
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard expectedLines != actualLines else { return }
        let firstDifference = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }
        let line = firstDifference?.offset ?? min(expectedLines.count, actualLines.count)
        Issue.record("""
            \(file) differs from the rendered screen at line \(line + 1)
            expected: \(line < expectedLines.count ? expectedLines[line] : "<none>")
            actual:   \(line < actualLines.count ? actualLines[line] : "<none>")
            whole screen:
            \(actual)
            """, sourceLocation: sourceLocation)
    }
}
