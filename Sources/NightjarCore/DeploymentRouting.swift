import Foundation

/// How an endpoint's requests are routed beyond the weighted split: a shadow that gets copies,
/// header rules that send matching requests to one version, and the header or input whose value
/// keeps a client on one version. Stored with the deployment and changed with it, in one audited transaction.
public struct DeploymentRouting: Sendable, Codable, Equatable {
    /// A version that receives a share of the endpoint's inference requests as copies; its answers
    /// are compared with the primary's and never returned to a client.
    public struct Shadow: Sendable, Codable, Equatable {
        public var version: SemVer
        /// Share of inference requests mirrored, 1 to 100.
        public var mirrorPercent: Int

        public init(version: SemVer, mirrorPercent: Int) {
            self.version = version
            self.mirrorPercent = mirrorPercent
        }
    }

    /// Requests carrying `header: value` go to `version`, whatever the split says.
    public struct HeaderMatch: Sendable, Codable, Equatable {
        public var header: String
        public var value: String
        public var version: SemVer

        public init(header: String, value: String, version: SemVer) {
            self.header = header
            self.value = value
            self.version = version
        }
    }

    /// Where the sticky key comes from: the value of one request header (a user or session id), or
    /// of one model input (a `user_id` column), for clients that cannot set headers.
    public struct StickyKey: Sendable, Codable, Equatable {
        public enum Source: String, Sendable, Equatable {
            case header
            case input
        }

        public var source: Source
        /// The header's name (lowercased) or the input's name (as the model spells it).
        public var name: String

        public init(header: String) {
            self.source = .header
            self.name = header.lowercased()
        }

        public init(input: String) {
            self.source = .input
            self.name = input
        }

        /// `header:x-user-id` or `input:user_id`, as the CLI and plan files write it.
        public init(parsing text: String) throws(NightjarError) {
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let source = Source(rawValue: String(parts[0])), !parts[1].isEmpty else {
                throw .invalidArgument("routing.sticky: '\(text)' is not a sticky key; write header:NAME or input:NAME, e.g. header:x-user-id or input:user_id")
            }
            switch source {
            case .header: self.init(header: String(parts[1]))
            case .input: self.init(input: String(parts[1]))
            }
        }

        /// The header's name when the key comes from a header.
        public var header: String? { source == .header ? name : nil }
        /// The input's name when the key comes from a model input.
        public var input: String? { source == .input ? name : nil }

        public var description: String { "\(source.rawValue):\(name)" }

        private enum CodingKeys: String, CodingKey { case header, input }

        /// `{"header": "x-user-id"}` or `{"input": "user_id"}`: exactly one of the two.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let header = try c.decodeIfPresent(String.self, forKey: .header)
            let input = try c.decodeIfPresent(String.self, forKey: .input)
            switch (header, input) {
            case (let header?, nil): self.init(header: header)
            case (nil, let input?): self.init(input: input)
            default:
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath,
                    debugDescription: "routing.sticky: give exactly one of \"header\" or \"input\""))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: source == .header ? .header : .input)
        }
    }

    public var shadow: Shadow?
    /// Checked in order; the first rule whose header has the value wins.
    public var headerMatches: [HeaderMatch]
    /// Nil: the gateway's own sticky header (`x-nightjar-key`) applies.
    public var sticky: StickyKey?

    public init(shadow: Shadow? = nil, headerMatches: [HeaderMatch] = [], sticky: StickyKey? = nil) {
        self.shadow = shadow
        self.headerMatches = headerMatches
        self.sticky = sticky
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        shadow = try c.decodeIfPresent(Shadow.self, forKey: .shadow)
        headerMatches = try c.decodeIfPresent([HeaderMatch].self, forKey: .headerMatches) ?? []
        sticky = try c.decodeIfPresent(StickyKey.self, forKey: .sticky)
    }

    public var isEmpty: Bool { shadow == nil && headerMatches.isEmpty && sticky == nil }

    /// Every version the settings send requests to, besides the split's.
    public var versions: [SemVer] {
        (shadow.map { [$0.version] } ?? []) + headerMatches.map(\.version)
    }

    /// Every version the split and these settings name, each with the request field that names it,
    /// so a missing version or worker is reported where the operator wrote it.
    public func versionsByField(weights: [TrafficWeight]) -> [(field: String, version: SemVer)] {
        weights.map { ("weights", $0.version) }
            + (shadow.map { [("routing.shadow.version", $0.version)] } ?? [])
            + headerMatches.enumerated().map { ("routing.headerMatches[\($0.offset)].version", $0.element.version) }
    }

    /// "shadow 1.1.0 10% · sticky header:x-user-id · x-tenant=acme → 1.1.0"; empty when nothing is set.
    public var summary: String {
        var parts: [String] = []
        if let shadow { parts.append("shadow \(shadow.version) \(shadow.mirrorPercent)%") }
        if let sticky { parts.append("sticky \(sticky.description)") }
        parts += headerMatches.map { "\($0.header)=\($0.value) → \($0.version)" }
        return parts.joined(separator: " · ")
    }

    /// Most header rules an endpoint may have: each one is checked on every request.
    public static let maxHeaderMatches = 32

    /// Checks the settings against the split they come with. Messages start with the field at fault.
    public func validate(weights: [TrafficWeight]) throws(NightjarError) {
        if let shadow {
            guard (1...100).contains(shadow.mirrorPercent) else {
                throw .invalidArgument("routing.shadow.mirrorPercent: \(shadow.mirrorPercent) is out of range; mirror 1 to 100 percent of requests")
            }
            if let served = weights.first(where: { $0.version == shadow.version && $0.weight > 0 }) {
                throw .invalidArgument(
                    "routing.shadow.version: \(shadow.version) already serves \(served.weight)% of the traffic; "
                        + "a shadow only gets copies, so give it 0% or pick another version")
            }
        }
        if let sticky {
            switch sticky.source {
            case .header: try Self.validateHeaderName(sticky.name, field: "routing.sticky.header")
            case .input: try Self.validateInputName(sticky.name, field: "routing.sticky.input")
            }
        }
        guard headerMatches.count <= Self.maxHeaderMatches else {
            throw .invalidArgument("routing.headerMatches: \(headerMatches.count) rules given; at most \(Self.maxHeaderMatches) are allowed")
        }
        var seen = Set<[String]>()
        for (i, match) in headerMatches.enumerated() {
            try Self.validateHeaderName(match.header, field: "routing.headerMatches[\(i)].header")
            guard !match.value.isEmpty, match.value.utf8.count <= 256,
                  match.value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7f }) else {
                throw .invalidArgument("routing.headerMatches[\(i)].value: '\(match.value)' must be 1 to 256 printable ASCII characters")
            }
            guard seen.insert([match.header.lowercased(), match.value]).inserted else {
                throw .invalidArgument("routing.headerMatches[\(i)]: \(match.header)=\(match.value) is listed twice")
            }
        }
    }

    /// A model input's name: printable ASCII, as converters name them (`user_id`, `input.1`).
    static func validateInputName(_ name: String, field: String) throws(NightjarError) {
        guard !name.isEmpty, name.utf8.count <= 128,
              name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
            throw .invalidArgument("\(field): '\(name)' is not an input name; use 1 to 128 printable characters without spaces, e.g. user_id")
        }
    }

    /// An HTTP field name (RFC 9110 token), compared case-insensitively by the gateway.
    static func validateHeaderName(_ name: String, field: String) throws(NightjarError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~")
        guard !name.isEmpty, name.count <= 128, name.allSatisfy({ allowed.contains($0) }) else {
            throw .invalidArgument("\(field): '\(name)' is not an HTTP header name; use letters, digits and '-', e.g. x-user-id")
        }
    }
}
