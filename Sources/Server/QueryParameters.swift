import Hummingbird
import HummingbirdCore
import NightjarCore

/// Reading a route's query parameters strictly: a parameter the route does not take, a count that is
/// not a number, or a value outside its choices is a 400 naming the parameter, never a silent default
/// (`?limit=abc` once answered the default page, `?format=xml` the event stream).
struct QueryParameters {
    private let request: Request
    private var parameters: FlatDictionary<Substring, Substring> { request.uri.queryParameters }

    /// Refuses any parameter not in `known`, naming the ones the route takes.
    init(_ request: Request, known: [String]) throws(NightjarError) {
        self.request = request
        for (name, _) in parameters where !known.contains(String(name)) {
            throw .invalidArgument("\(name): unknown query parameter; this route takes "
                + (known.isEmpty ? "none" : known.joined(separator: ", ")))
        }
    }

    func text(_ name: String) -> String? { parameters.get(name) }

    /// A whole number in `range`, or `defaultValue` when the parameter is absent.
    func count(_ name: String, in range: ClosedRange<Int>, default defaultValue: Int) throws(NightjarError) -> Int {
        try count(name, in: range) ?? defaultValue
    }

    /// A whole number in `range`, or nil when the parameter is absent.
    func count(_ name: String, in range: ClosedRange<Int>) throws(NightjarError) -> Int? {
        guard let text = parameters.get(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .invalidArgument("\(name): '\(text)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// One of `choices`, or nil when the parameter is absent.
    func choice(_ name: String, of choices: [String]) throws(NightjarError) -> String? {
        guard let text = parameters.get(name) else { return nil }
        guard choices.contains(text) else {
            throw .invalidArgument("\(name): '\(text)' is not one of \(choices.joined(separator: ", "))")
        }
        return text
    }
}
