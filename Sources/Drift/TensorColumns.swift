import Foundation
import NightjarCore

/// How a batch tensor maps onto watched columns, the same way for reference data and live traffic:
/// a `[n]` tensor (or a scalar) named `x` is one column `x`; a `[n, k]` tensor is k columns
/// `x[0]` … `x[k-1]`; higher ranks flatten everything after the batch dimension.
public enum TensorColumns {
    /// Columns per row for a tensor of this shape; 0 for a shape no real tensor has (a negative or
    /// overflowing dimension).
    public static func width(of shape: [Int]) -> Int {
        guard shape.count >= 2 else { return 1 }
        var width = 1
        for d in shape.dropFirst() {
            let (product, overflow) = width.multipliedReportingOverflow(by: d)
            guard d >= 0, !overflow else { return 0 }
            width = product
        }
        return width
    }

    /// The column holding element `index` of each row of tensor `name`.
    public static func name(_ tensor: String, index: Int, shape: [Int]) -> String {
        shape.count < 2 ? tensor : "\(tensor)[\(index)]"
    }

    /// Whether a tensor of this type is compared by category rather than by value.
    public static func isCategorical(_ data: TensorData) -> Bool {
        switch data {
        case .bool, .string: true
        case .float, .double, .int64, .int32: false
        }
    }
}

/// Reads reference data from a JSON Lines file of Open Inference Protocol v2 infer requests (one
/// `{"inputs": [...]}` per line), as a prediction log or a replay file holds them.
public enum InferenceRequestColumns {
    public static func parse(jsonLines text: String) throws(NightjarError) -> [String: ColumnValues] {
        var numeric: [String: [Double]] = [:]
        var categorical: [String: [String]] = [:]
        var firstSeen: [String: Int] = [:]
        let decoder = JSONDecoder()
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = offset + 1
            guard !rawLine.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) else { continue }
            let request: InferRequest
            do {
                request = try decoder.decode(InferRequest.self, from: Data(rawLine.utf8))
            } catch {
                throw .invalidArgument("JSONL line \(line): not an inference request (expected {\"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}]}): \(describe(error))")
            }
            for input in request.inputs {
                let tensor: Tensor
                do {
                    tensor = try input.tensor()
                } catch {
                    throw .invalidArgument("JSONL line \(line): \(error)")
                }
                let width = TensorColumns.width(of: tensor.shape)
                guard width > 0 else { continue }
                let wantsCategories = TensorColumns.isCategorical(tensor.data)
                for j in 0..<width {
                    let name = TensorColumns.name(input.name, index: j, shape: tensor.shape)
                    if (wantsCategories && numeric[name] != nil) || (!wantsCategories && categorical[name] != nil) {
                        throw .invalidArgument("JSONL line \(line): input '\(input.name)' is \(input.datatype) here, but column '\(name)' had another kind of values on line \(firstSeen[name] ?? 1)")
                    }
                    if firstSeen[name] == nil { firstSeen[name] = line }
                }
                append(tensor.data, width: width, name: input.name, shape: tensor.shape,
                       numeric: &numeric, categorical: &categorical)
            }
        }
        var columns: [String: ColumnValues] = [:]
        for (name, values) in numeric { columns[name] = .numeric(values) }
        for (name, values) in categorical { columns[name] = .categorical(values) }
        return columns
    }

    private static func append(_ data: TensorData, width: Int, name: String, shape: [Int],
                               numeric: inout [String: [Double]], categorical: inout [String: [String]]) {
        func spread<T>(_ values: [T], _ convert: (T) -> Double) {
            for (i, v) in values.enumerated() {
                numeric[TensorColumns.name(name, index: i % width, shape: shape), default: []].append(convert(v))
            }
        }
        func spreadText<T>(_ values: [T], _ convert: (T) -> String) {
            for (i, v) in values.enumerated() {
                categorical[TensorColumns.name(name, index: i % width, shape: shape), default: []].append(convert(v))
            }
        }
        switch data {
        case .float(let v): spread(v) { Double($0) }
        case .double(let v): spread(v) { $0 }
        case .int64(let v): spread(v) { Double($0) }
        case .int32(let v): spread(v) { Double($0) }
        case .bool(let v): spreadText(v) { $0 ? "true" : "false" }
        case .string(let v): spreadText(v) { $0 }
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            return "missing '\(path)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "'\(path)': \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            return context.debugDescription
        default:
            return "\(error)"
        }
    }
}

