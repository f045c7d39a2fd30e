import HTTPTypes
import NightjarCore

extension HTTPField.Name {
    /// Every inference answer names the version that produced it, whatever the protocol.
    public static let nightjarModelVersion = HTTPField.Name("Nightjar-Model-Version")!
    /// Who made a change; recorded in the audit log.
    public static let nightjarActor = HTTPField.Name("Nightjar-Actor")!
    /// The sha256 of an artifact download.
    public static let nightjarSha256 = HTTPField.Name("Nightjar-Sha256")!
    /// A pushed model's FeatureSchema, base64 JSON.
    public static let nightjarSchema = HTTPField.Name(SchemaHeader.name)!
    /// A pushed version's VersionMetadata, base64 JSON.
    public static let nightjarMetadata = HTTPField.Name(MetadataHeader.name)!
    /// The length of the JSON header of an inference body that carries binary tensor data after it
    /// (the Open Inference Protocol's binary tensor extension).
    public static let inferenceHeaderContentLength = HTTPField.Name("Inference-Header-Content-Length")!
    /// Where a Server-Sent Events client resumes.
    public static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
