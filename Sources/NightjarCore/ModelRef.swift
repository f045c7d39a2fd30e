/// A model version reference, written `name@1.2.3`.
public struct ModelRef: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    public var name: String
    public var version: SemVer

    public init(name: String, version: SemVer) {
        self.name = name
        self.version = version
    }

    public init(parsing text: String) throws(NightjarError) {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw .invalidArgument("model reference '\(text)' must be NAME@X.Y.Z, for example fraud@1.2.0")
        }
        let name = String(parts[0])
        try ModelRef.validate(name: name)
        self.init(name: name, version: try SemVer(parsing: String(parts[1])))
    }

    /// Model names go into URLs and file names, so they are kept to a safe alphabet.
    public static func validate(name: String) throws(NightjarError) {
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
        }
        guard !name.isEmpty, name.count <= 128, allowed, name.first != ".", name.first != "-" else {
            throw .invalidArgument("model name '\(name)' is invalid: use 1 to 128 letters, digits, '-', '_' or '.', not starting with '-' or '.'")
        }
    }

    public var description: String { "\(name)@\(version)" }

    public static func < (a: ModelRef, b: ModelRef) -> Bool {
        a.name != b.name ? a.name < b.name : a.version < b.version
    }
}
