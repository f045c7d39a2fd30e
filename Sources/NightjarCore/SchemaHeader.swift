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
        return try decodeStrictly(FeatureSchema.self, from: data, header: name, what: "a valid schema")
    }

    /// Decodes a header's JSON refusing unknown keys, with errors that name the field's path inside it:
    /// "Nightjar-Schema header: inputs[0].shape[0] has the wrong type (expected a number)".
    static func decodeStrictly<T: Decodable>(_ type: T.Type, from data: Data, header: String, what: String) throws(NightjarError) -> T {
        do {
            return try StrictJSON.decode(T.self, from: data, using: JSONDecoder())
        } catch let error as NightjarError {
            throw .invalidArgument("\(header) header: \(error.description)")
        } catch let error as DecodingError {
            if let field = error.fieldPath { throw .invalidArgument("\(header) header: \(field) \(error.readableProblem)") }
            throw .invalidArgument("\(header) header is not \(what): \(error.readableDescription)")
        } catch {
            throw .invalidArgument("\(header) header is not \(what): \(error)")
        }
    }
}
