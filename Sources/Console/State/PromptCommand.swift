/// What `:` understands, and Tab completion over it.
public enum PromptCommand: Sendable, Equatable {
    case go(ConsoleView)
    case quit
    case help

    static let words = ["overview", "endpoints", "workers", "models", "events", "help", "quit"]

    /// Parses "endpoint fraud", "workers", "q"… Unknown text answers why, with what is known.
    static func parse(_ text: String, endpoints: [String]) -> Result<PromptCommand, FetchFailure> {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let word = parts.first?.lowercased() else { return .failure(FetchFailure("type a command; Tab completes")) }
        switch (word, parts.count) {
        case ("overview", 1), ("endpoints", 1), ("home", 1): return .success(.go(.overview))
        case ("workers", 1): return .success(.go(.workers))
        case ("models", 1): return .success(.go(.models))
        case ("events", 1), ("audit", 1): return .success(.go(.events))
        case ("help", 1): return .success(.help)
        case ("quit", 1), ("q", 1): return .success(.quit)
        case ("endpoint", 2), ("endpoints", 2): return known(parts[1], in: endpoints).map { .go(.endpoint($0)) }
        case ("drift", 2): return known(parts[1], in: endpoints).map { .go(.drift($0)) }
        case ("endpoint", 1): return .failure(FetchFailure("which endpoint? :endpoint NAME (Tab completes)"))
        case ("drift", 1): return .failure(FetchFailure("which endpoint? :drift NAME (Tab completes)"))
        default:
            return .failure(FetchFailure("unknown command ':\(text)' (commands: \(words.joined(separator: ", ")), endpoint NAME, drift NAME)"))
        }
    }

    /// The endpoint named, or why not, with the names there are.
    private static func known(_ name: String, in endpoints: [String]) -> Result<String, FetchFailure> {
        guard endpoints.contains(name) else {
            let known = endpoints.isEmpty ? "none loaded yet" : endpoints.joined(separator: ", ")
            return .failure(FetchFailure("no endpoint '\(name)' (endpoints: \(known))"))
        }
        return .success(name)
    }

    /// Every full command that starts with `text`.
    static func candidates(for text: String, endpoints: [String]) -> [String] {
        let all = words + endpoints.sorted().map { "endpoint \($0)" } + endpoints.sorted().map { "drift \($0)" }
        let typed = text.lowercased()
        return all.filter { $0.lowercased().hasPrefix(typed) }
    }

    /// Tab: the one candidate, or the longest prefix all candidates share.
    static func complete(_ text: String, endpoints: [String]) -> String {
        let found = candidates(for: text, endpoints: endpoints)
        guard var common = found.first else { return text }
        if found.count == 1 { return common }
        for candidate in found.dropFirst() {
            while !candidate.hasPrefix(common) { common.removeLast() }
        }
        return common.count > text.count ? common : text
    }
}
