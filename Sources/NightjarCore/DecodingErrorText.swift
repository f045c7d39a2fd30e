import Foundation

/// How a request's decoding error reads: the field's path first, then what is wrong with it. Shared by
/// request bodies (ServiceSupport) and the JSON that rides in push headers (SchemaHeader).
extension DecodingError {
    /// The dotted path of the field at fault ("inputs[0].datatype"), nil at the top level.
    public var fieldPath: String? {
        let codingPath: [any CodingKey]
        switch self {
        case .keyNotFound(let key, let context): codingPath = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): codingPath = context.codingPath
        @unknown default: return nil
        }
        let path = StrictJSON.dottedPath(codingPath)
        return path.isEmpty ? nil : path
    }

    /// What is wrong with the field, without its path: "is missing", "has the wrong type (expected a number)".
    public var readableProblem: String {
        switch self {
        case .keyNotFound: return "is missing"
        case .typeMismatch(let type, _): return "has the wrong type (expected \(Self.plainTypeName(type)))"
        case .valueNotFound(let type, _): return "is null (expected \(Self.plainTypeName(type)))"
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        @unknown default: return "\(self)"
        }
    }

    /// "an object" rather than Foundation's "Dictionary<String, Any>".
    static func plainTypeName(_ type: Any.Type) -> String {
        let name = "\(type)"
        if name.hasPrefix("Dictionary") { return "an object" }
        if name.hasPrefix("Array") { return "an array" }
        if name == "String" { return "a string" }
        if ["Int", "Int32", "Int64", "UInt", "UInt32", "UInt64"].contains(name) { return "a whole number" }
        if ["Double", "Float"].contains(name) { return "a number" }
        if name == "Bool" { return "true or false" }
        return name
    }

    /// "at inputs[0].datatype: missing" instead of Foundation's nested debug dump.
    public var readableDescription: String {
        func path(_ context: Context) -> String {
            let p = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            let trimmed = p.hasPrefix(".") ? String(p.dropFirst()) : p
            return trimmed.isEmpty ? "the top level" : trimmed
        }
        switch self {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(parent)")
        case .typeMismatch(let type, let context):
            return "\(path(context)) has the wrong type (expected \(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context)) is null (expected \(type))"
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return "\(path(context)): \(underlying ?? context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }
}
