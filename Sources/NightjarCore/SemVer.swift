/// A semantic version (`1.2.3`, `2.0.0-rc.1`), as in semver.org 2.0.
/// Build metadata (`+sha`) is rejected: two versions that differ only there would compare equal,
/// and registry versions must be unambiguous.
public struct SemVer: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var major: Int
    public var minor: Int
    public var patch: Int
    public var preRelease: [String]

    public init(_ major: Int, _ minor: Int, _ patch: Int, preRelease: [String] = []) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.preRelease = preRelease
    }

    public init(parsing text: String) throws(NightjarError) {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let core = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3 else {
            throw .invalidArgument("version '\(text)' is not semver: expected MAJOR.MINOR.PATCH such as 1.2.3")
        }
        var numbers: [Int] = []
        for piece in core {
            guard let n = Int(piece), n >= 0, piece == "0" || !piece.hasPrefix("0") else {
                throw .invalidArgument("version '\(text)' is not semver: '\(piece)' is not a number without leading zeros")
            }
            numbers.append(n)
        }
        var pre: [String] = []
        if parts.count == 2 {
            pre = parts[1].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            for id in pre {
                guard !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                    throw .invalidArgument("version '\(text)' has an invalid pre-release part '\(id)': use letters, digits and '-' separated by '.'")
                }
            }
        }
        self.init(numbers[0], numbers[1], numbers[2], preRelease: pre)
    }

    public var description: String {
        let base = "\(major).\(minor).\(patch)"
        return preRelease.isEmpty ? base : base + "-" + preRelease.joined(separator: ".")
    }

    public static func < (a: SemVer, b: SemVer) -> Bool {
        if a.major != b.major { return a.major < b.major }
        if a.minor != b.minor { return a.minor < b.minor }
        if a.patch != b.patch { return a.patch < b.patch }
        // A pre-release sorts before its release.
        if a.preRelease.isEmpty != b.preRelease.isEmpty { return !a.preRelease.isEmpty }
        for (x, y) in zip(a.preRelease, b.preRelease) where x != y {
            switch (Int(x), Int(y)) {
            case let (i?, j?): return i < j
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return x < y
            }
        }
        return a.preRelease.count < b.preRelease.count
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
