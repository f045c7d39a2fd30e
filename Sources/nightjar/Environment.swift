import Foundation

/// Reads of the process environment and the conventional places Nightjar keeps its files.
enum Environment {
    static func value(_ name: String) -> String? {
        guard let v = ProcessInfo.processInfo.environment[name], !v.isEmpty else { return nil }
        return v
    }

    /// `$NIGHTJAR_HOME`, else `~/.nightjar`.
    static var home: URL {
        if let path = value("NIGHTJAR_HOME") { return URL(fileURLWithPath: path) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".nightjar")
    }

    /// Who the audit log says made a change from this shell.
    static var actor: String {
        value("NIGHTJAR_ACTOR") ?? value("USER") ?? value("LOGNAME") ?? "operator"
    }

    /// The API token: `$NIGHTJAR_TOKEN`, else the file the server wrote at `$NIGHTJAR_HOME/token` on first start.
    static var token: String? {
        if let token = value("NIGHTJAR_TOKEN") { return token }
        return try? String(contentsOf: home.appendingPathComponent("token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The running binary, for starting child processes of the same build.
    static var executableURL: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }
}
