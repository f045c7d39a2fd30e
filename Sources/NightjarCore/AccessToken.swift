import Foundation

/// What a token may do. Each role may do everything the ones below it may.
public enum AccessRole: String, Sendable, Codable, CaseIterable, Comparable {
    /// Read everything.
    case viewer
    /// Shift traffic, run rollouts, roll back; workers announce themselves with this role.
    case `operator`
    /// Push versions, force promotions, manage tokens.
    case admin

    public static func < (a: AccessRole, b: AccessRole) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }
}

/// A token as listed: never its secret, which is stored only as a hash.
public struct AccessTokenInfo: Sendable, Codable, Equatable {
    public var name: String
    public var role: AccessRole
    public var createdAt: Date
    public var createdBy: String

    public init(name: String, role: AccessRole, createdAt: Date, createdBy: String) {
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}

/// `POST /api/v1/tokens`.
public struct AccessTokenRequest: Sendable, Codable, Equatable {
    public var name: String
    public var role: AccessRole

    public init(name: String, role: AccessRole) {
        self.name = name
        self.role = role
    }
}

/// The answer to creating a token: the only time its secret is shown.
public struct AccessTokenCreated: Sendable, Codable, Equatable {
    public var token: String
    public var info: AccessTokenInfo

    public init(token: String, info: AccessTokenInfo) {
        self.token = token
        self.info = info
    }
}
