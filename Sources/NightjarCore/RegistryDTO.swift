import Foundation

/// One stored model version, as the registry API lists it.
public struct ModelVersionInfo: Sendable, Codable, Equatable {
    public var name: String
    public var version: SemVer
    public var sha256: String
    public var sizeBytes: Int
    public var createdAt: Date
    public var createdBy: String
    public var schema: FeatureSchema?
    public var metadata: VersionMetadata
    /// Aliases pointing at this version now (`production`, `staging`, ...).
    public var aliases: [String]

    public init(name: String, version: SemVer, sha256: String, sizeBytes: Int, createdAt: Date, schema: FeatureSchema? = nil,
                createdBy: String = "", metadata: VersionMetadata = VersionMetadata(), aliases: [String] = []) {
        self.name = name
        self.version = version
        self.sha256 = sha256
        self.sizeBytes = sizeBytes
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.schema = schema
        self.metadata = metadata
        self.aliases = aliases
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        version = try c.decode(SemVer.self, forKey: .version)
        sha256 = try c.decode(String.self, forKey: .sha256)
        sizeBytes = try c.decode(Int.self, forKey: .sizeBytes)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        createdBy = try c.decodeIfPresent(String.self, forKey: .createdBy) ?? ""
        schema = try c.decodeIfPresent(FeatureSchema.self, forKey: .schema)
        metadata = try c.decodeIfPresent(VersionMetadata.self, forKey: .metadata) ?? VersionMetadata()
        aliases = try c.decodeIfPresent([String].self, forKey: .aliases) ?? []
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
