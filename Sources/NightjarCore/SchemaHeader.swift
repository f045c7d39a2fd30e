import Foundation

/// The `Nightjar-Schema` header of a push: the model's FeatureSchema as base64 JSON.
/// The body of a push is the raw artifact, so its metadata rides in a header.
public enum SchemaHeader {
    public static let name = "Nightjar-Schema"

    public static func encode(_ schema: FeatureSchema) throws -> String {
        try JSONEncoder().encode(schema).base64EncodedString()
    }

    public static func decode(_ value: String) throws(NightjarError) -> FeatureSchema {
        guard let data = Data(base64Encoded: value) else {
            throw .invalidArgument("\(name) header is not base64")
        }
        do {
            return try JSONDecoder().decode(FeatureSchema.self, from: data)
        } catch {
            throw .invalidArgument("\(name) header is not a valid schema: \(error)")
        }
    }
}
