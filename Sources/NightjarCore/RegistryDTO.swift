import Foundation

/// One stored model version, as the registry API lists it.
public struct ModelVersionInfo: Sendable, Codable, Equatable {
    public var name: String
    public var version: SemVer
    public var sha256: String
    public var sizeBytes: Int
    public var createdAt: Date
    public var schema: FeatureSchema?

    public init(name: String, version: SemVer, sha256: String, sizeBytes: Int, createdAt: Date, schema: FeatureSchema? = nil) {
        self.name = name
        self.version = version
        self.sha256 = sha256
        self.sizeBytes = sizeBytes
        self.createdAt = createdAt
        self.schema = schema
    }

    public var ref: ModelRef { ModelRef(name: name, version: version) }
}

/// A model name with its versions, newest last.
public struct ModelSummary: Sendable, Codable, Equatable {
    public var name: String
    public var versions: [ModelVersionInfo]

    public init(name: String, versions: [ModelVersionInfo]) {
        self.name = name
        self.versions = versions
    }
}

/// The answer to a push: the stored version and whether it was new.
/// Pushing identical bytes again is not an error; it answers `created: false`.
public struct PushResult: Sendable, Codable, Equatable {
    public var version: ModelVersionInfo
    public var created: Bool

    public init(version: ModelVersionInfo, created: Bool) {
        self.version = version
        self.created = created
    }
}
