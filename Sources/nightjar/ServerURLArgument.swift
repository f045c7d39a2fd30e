import ArgumentParser
import Foundation

/// A control plane address from `--server` or `NIGHTJAR_SERVER`: an http:// or https:// URL with a
/// host. A bare `127.0.0.1:7070` used to fail deep in the HTTP client as `invalidURL`.
enum ServerURLArgument {
    static func validate(_ text: String) throws {
        if let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
           let host = url.host, !host.isEmpty {
            return
        }
        let hint = text.contains("://") ? "" : "; did you mean http://\(text)?"
        throw ValidationError("--server (or NIGHTJAR_SERVER): '\(text)' is not an http:// or https:// URL\(hint)")
    }
}
