import Foundation
import NIOCore

/// Reads a sticky key out of a request body: the first value of one model input, for deployments
/// whose clients cannot set a header (`routing.sticky` = `input:user_id`).
///
/// Only requests of endpoints configured this way pay for parsing their body here. A value is
/// turned into the same text whatever its encoding (`7`, `7.0` and a binary INT64 7 all read "7"),
/// so one client keeps its version however its requests are written. A body without the input, or
/// one this cannot read (CSV, an FP16 tensor), has no key: the request takes the weighted draw.
enum StickyInputKey {
    /// The key in an inference request: OIP v2 JSON (with or without the binary tensor extension,
    /// whose JSON part is `jsonLength` bytes long) or one of MLflow's JSON formats.
    static func value(of input: String, call: WorkerCall, body: ByteBuffer, jsonLength: Int?) -> String? {
        switch call {
        case .infer: oipValue(of: input, body: body, jsonLength: jsonLength)
        case .invocations: mlflowValue(of: input, body: body)
        case .modelMetadata, .modelReady: nil
        }
    }

    // MARK: Open Inference Protocol

    /// The input's first element, read from its JSON `data` or its binary bytes.
    static func oipValue(of input: String, body: ByteBuffer, jsonLength: Int?) -> String? {
        guard let first = OIPTensorList.read(body, jsonLength: jsonLength, field: .inputs, wanted: { $0 == input }, limit: 1)?
            .tensors.first?.data.elements.first else { return nil }
        switch first {
        case .int(let i): return String(i)
        case .double(let d): return text(d)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        }
    }

    // MARK: MLflow

    /// `dataframe_split` (columns + rows), `dataframe_records` and `instances` (a list of records),
    /// and `inputs` or `instances` as named columns: the input's value in the first row.
    static func mlflowValue(of input: String, body: ByteBuffer) -> String? {
        guard let request = object(body.readableBytesView[...]) as? [String: Any] else { return nil }
        if let split = request["dataframe_split"] as? [String: Any] {
            guard let columns = split["columns"] as? [String], let column = columns.firstIndex(of: input),
                  let rows = split["data"] as? [[Any]], let row = rows.first, column < row.count else { return nil }
            return firstScalar(row[column])
        }
        for key in ["dataframe_records", "instances", "inputs"] {
            if let records = request[key] as? [[String: Any]] {
                return records.first?[input].flatMap(firstScalar)
            }
            if let columns = request[key] as? [String: Any] {
                return columns[input].flatMap(firstScalar)
            }
        }
        return nil
    }

    // MARK: Values

    private static func object(_ bytes: ByteBufferView.SubSequence) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    /// The first scalar of a value that may be nested arrays (an OIP `data` given row by row).
    static func firstScalar(_ value: Any) -> String? {
        switch value {
        case let array as [Any]: return array.first.flatMap(firstScalar)
        case let string as String: return string
        // JSONSerialization gives JSON's true and false as NSNumbers of type char, which nothing
        // else it parses has: read as OIP's BOOL is, so a flag keys alike in both protocols.
        case let number as NSNumber where String(cString: number.objCType) == "c": return number.boolValue ? "true" : "false"
        case let number as NSNumber: return text(number.doubleValue)
        default: return nil
        }
    }

    /// Whole numbers without a fraction, so `7` and `7.0` are one key.
    static func text(_ number: Double) -> String {
        if number.rounded() == number, abs(number) < 9_007_199_254_740_992 { return String(Int64(number)) }
        return "\(number)"
    }
}
