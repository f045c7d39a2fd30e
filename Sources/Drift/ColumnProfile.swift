import NightjarCore

/// The reference of one watched column: a model input feature or an output.
public struct ColumnProfile: Sendable, Equatable {
    public enum Summary: Sendable, Equatable {
        case numeric(NumericProfile)
        case categorical(CategoricalProfile)
    }

    public var name: String
    public var role: DriftColumnRole
    public var summary: Summary

    public init(name: String, role: DriftColumnRole, summary: Summary) {
        self.name = name
        self.role = role
        self.summary = summary
    }

    public var kind: DriftColumnKind {
        switch summary {
        case .numeric: .numeric
        case .categorical: .categorical
        }
    }

    /// Reference values, missing ones included.
    public var count: Int {
        switch summary {
        case .numeric(let p): p.count + p.missing
        case .categorical(let p): p.count
        }
    }
}

/// JSON form: `{"name": …, "role": "feature", "kind": "numeric", "numeric": {…}}`, readable by
/// anything that looks at a stored profile.
extension ColumnProfile: Codable {
    private enum CodingKeys: String, CodingKey { case name, role, kind, numeric, categorical }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        role = try c.decode(DriftColumnRole.self, forKey: .role)
        switch try c.decode(DriftColumnKind.self, forKey: .kind) {
        case .numeric: summary = .numeric(try c.decode(NumericProfile.self, forKey: .numeric))
        case .categorical: summary = .categorical(try c.decode(CategoricalProfile.self, forKey: .categorical))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(role, forKey: .role)
        try c.encode(kind, forKey: .kind)
        switch summary {
        case .numeric(let p): try c.encode(p, forKey: .numeric)
        case .categorical(let p): try c.encode(p, forKey: .categorical)
        }
    }
}
