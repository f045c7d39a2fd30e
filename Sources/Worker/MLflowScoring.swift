import Foundation
import NightjarCore
import ServiceSupport

/// MLflow's scoring protocol (`POST /invocations`), turned into the model's input tensors and back.
///
/// Accepted bodies: JSON `{"dataframe_split": {"columns": [...], "data": [[...]]}}`,
/// `{"dataframe_records": [{...}]}`, `{"instances": ...}`, `{"inputs": ...}`, and `text/csv`.
/// Columns map to inputs by name; a model with one `[N, K]` input also takes K unnamed (or
/// differently named) columns in order. Answers are `{"predictions": ...}`: a list of values for a
/// single output, a list of one record per row otherwise.
public struct MLflowScoring: Sendable {
    public let schema: FeatureSchema

    public init(schema: FeatureSchema) { self.schema = schema }

    /// A table of rows, as dataframes and CSV carry them.
    struct Table {
        var columns: [String]?
        var rows: [[JSONValue]]
    }

    // MARK: Request

    public func inputs(json body: Data) throws(NightjarError) -> [String: Tensor] {
        let value: JSONValue
        do { value = try WireJSON.decoder().decode(JSONValue.self, from: body) } catch let error as DecodingError {
            throw .invalidArgument("request body is not valid JSON: \(error.readableDescription)")
        } catch {
            throw .invalidArgument("request body is not valid JSON: \(error)")
        }
        guard case .object(let fields) = value else {
            throw .invalidArgument("the body must be a JSON object with one of \(Self.formats)")
        }
        let present = Self.keys.filter { fields[$0] != nil }
        guard present.count == 1, let key = present.first, let payload = fields[key] else {
            throw .invalidArgument(present.isEmpty
                ? "the body names none of \(Self.formats); got \(fields.keys.sorted().map { "'\($0)'" }.joined(separator: ", "))"
                : "the body names more than one format (\(present.joined(separator: ", "))); send exactly one")
        }
        switch key {
        case "dataframe_split": return try tensors(from: splitTable(payload))
        case "dataframe_records": return try tensors(from: recordsTable(payload), fromRecords: true)
        default: return try tensors(fromTensorPayload: payload, key: key)
        }
    }

    public func inputs(csv body: Data) throws(NightjarError) -> [String: Tensor] {
        guard let text = String(data: body, encoding: .utf8) else {
            throw .invalidArgument("the CSV body is not UTF-8 text")
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let first = lines.first else { throw .invalidArgument("the CSV body has no rows") }
        func cells(_ line: String) -> [String] {
            line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        func value(_ cell: String) -> JSONValue {
            if let i = Int64(cell) { return .scalar(.int(i)) }
            if let d = Double(cell) { return .scalar(.double(d)) }
            if cell == "true" || cell == "false" { return .scalar(.bool(cell == "true")) }
            return .scalar(.string(cell))
        }
        // A first line with any non-numeric cell is a header.
        let header = cells(first)
        let hasHeader = header.contains { Double($0) == nil }
        let body = hasHeader ? Array(lines.dropFirst()) : lines
        guard !body.isEmpty else { throw .invalidArgument("the CSV body has a header but no rows") }
        var rows: [[JSONValue]] = []
        for (r, line) in body.enumerated() {
            let row = cells(line)
            // An empty cell is a missing value, named where it is; read as text it became "element 8
            // is a string" further on, with no row or column.
            if let c = row.firstIndex(where: \.isEmpty) {
                let column = hasHeader && c < header.count ? "column \(c + 1) '\(header[c])'" : "column \(c + 1)"
                throw .invalidArgument("CSV row \(r + 1)\(hasHeader ? " after the header" : ""), \(column), is empty: every cell needs a value")
            }
            rows.append(row.map(value))
        }
        return try tensors(from: Table(columns: hasHeader ? header : nil, rows: rows))
    }

    static let keys = ["dataframe_split", "dataframe_records", "instances", "inputs"]
    static let formats = "'dataframe_split', 'dataframe_records', 'instances', 'inputs'"

    private func splitTable(_ payload: JSONValue) throws(NightjarError) -> Table {
        guard case .object(let split) = payload, case .array(let data)? = split["data"] else {
            throw .invalidArgument("dataframe_split must be an object with 'data' (a list of rows) and optional 'columns'")
        }
        var columns: [String]?
        if let c = split["columns"] {
            guard case .array(let names) = c else { throw .invalidArgument("dataframe_split.columns must be a list of names") }
            var list: [String] = []
            for n in names {
                guard case .scalar(.string(let s)) = n else { throw .invalidArgument("dataframe_split.columns must be a list of names") }
                list.append(s)
            }
            columns = list
        }
        var rows: [[JSONValue]] = []
        for (i, row) in data.enumerated() {
            guard case .array(let cells) = row else { throw .invalidArgument("dataframe_split.data[\(i)] is a \(row.kind), not a row (list)") }
            if let columns, cells.count != columns.count {
                throw .invalidArgument("dataframe_split.data[\(i)] has \(cells.count) values for \(columns.count) columns")
            }
            rows.append(cells)
        }
        return Table(columns: columns, rows: rows)
    }

    private func recordsTable(_ payload: JSONValue) throws(NightjarError) -> Table {
        guard case .array(let records) = payload, case .object(let first)? = records.first else {
            throw .invalidArgument("dataframe_records must be a non-empty list of objects, one per row")
        }
        let columns = first.keys.sorted()
        var rows: [[JSONValue]] = []
        for (i, record) in records.enumerated() {
            guard case .object(let fields) = record, Set(fields.keys) == Set(columns) else {
                throw .invalidArgument("dataframe_records[\(i)] does not have the same columns as the first record (\(columns.joined(separator: ", ")))")
            }
            rows.append(columns.map { fields[$0] ?? .null })
        }
        return Table(columns: columns, rows: rows)
    }

    /// Columns named after inputs feed those inputs; otherwise a single `[N, K]` input takes the row as is.
    private func tensors(from table: Table, fromRecords: Bool = false) throws(NightjarError) -> [String: Tensor] {
        let names = Set(schema.inputs.map(\.name))
        if let columns = table.columns, Set(columns) == names {
            var result: [String: Tensor] = [:]
            for (c, name) in columns.enumerated() {
                result[name] = try tensor(for: name, value: .array(table.rows.map { $0[c] }), what: "column '\(name)'")
            }
            return result
        }
        guard schema.inputs.count == 1, let only = schema.inputs.first, only.shape.count == 2 else {
            throw .invalidArgument("columns \(table.columns.map { $0.joined(separator: ", ") } ?? "(unnamed)") do not name this model's inputs (\(schema.inputs.map { "'\($0.name)' \($0.datatype.rawValue) \($0.shapeText)" }.joined(separator: ", ")))")
        }
        if fromRecords {
            // A JSON object has no column order, so records cannot fill an [N, K] matrix unambiguously.
            throw .invalidArgument("dataframe_records cannot feed input '\(only.name)' \(only.shapeText): records carry no column order; send dataframe_split, instances or inputs")
        }
        return [only.name: try tensor(for: only.name, value: .array(table.rows.map { .array($0) }), what: "the rows")]
    }

    private func tensors(fromTensorPayload payload: JSONValue, key: String) throws(NightjarError) -> [String: Tensor] {
        switch payload {
        case .object(let named):
            var result: [String: Tensor] = [:]
            for (name, value) in named {
                result[name] = try tensor(for: name, value: value, what: "\(key).\(name)")
            }
            return result
        case .array(let items) where key == "instances" && items.allSatisfy({ if case .object = $0 { true } else { false } }) && !items.isEmpty:
            // Row-oriented: one object per row, each naming every input.
            var columns: [String: [JSONValue]] = [:]
            for (i, item) in items.enumerated() {
                guard case .object(let fields) = item else { continue }
                if i > 0, Set(fields.keys) != Set(columns.keys) {
                    throw .invalidArgument("instances[\(i)] names other inputs than instances[0]")
                }
                for (name, value) in fields { columns[name, default: []].append(value) }
            }
            var result: [String: Tensor] = [:]
            for (name, values) in columns {
                result[name] = try tensor(for: name, value: .array(values), what: "instances[*].\(name)")
            }
            return result
        default:
            guard schema.inputs.count == 1, let only = schema.inputs.first else {
                throw .invalidArgument("'\(key)' is a \(payload.kind), but this model has several inputs (\(schema.inputs.map { "'\($0.name)'" }.joined(separator: ", "))); send an object keyed by input name")
            }
            return [only.name: try tensor(for: only.name, value: payload, what: key)]
        }
    }

    /// One input tensor from nested JSON, typed by the schema; unknown names are left to the validator.
    private func tensor(for name: String, value: JSONValue, what: String) throws(NightjarError) -> Tensor {
        guard let (shape, elements) = value.flattened() else {
            throw .invalidArgument("\(what) is not a rectangular array of scalars (rows of different lengths, nulls or objects)")
        }
        guard let spec = schema.inputs.first(where: { $0.name == name }) else {
            throw .invalidArgument("unknown input '\(name)': this model takes \(schema.inputs.map { "'\($0.name)'" }.joined(separator: ", "))")
        }
        // A column for an [N, 1] input arrives as [N]; give it its trailing 1.
        var fitted = shape
        if spec.shape.count == shape.count + 1, spec.shape.last == 1 { fitted.append(1) }
        return try InferTensor(name: name, shape: fitted, datatype: spec.datatype.rawValue, data: elements).tensor()
    }

    // MARK: Answer

    /// `{"predictions": ...}`: values per row for one output, one record per row for several.
    func predictions(_ outputs: [String: Tensor], order: [String]) -> JSONValue {
        let names = order.filter { outputs[$0] != nil }
        func perRow(_ tensor: Tensor) -> [JSONValue] {
            let json = InferTensor(name: "", tensor: tensor)
            guard let rows = tensor.shape.first, rows > 0 else { return json.data.elements.map { .scalar($0) } }
            let perRow = json.data.elements.count / rows
            let inner = Array(tensor.shape.dropFirst())
            return (0..<rows).map { r in
                let slice = Array(json.data.elements[(r * perRow)..<((r + 1) * perRow)])
                return inner.isEmpty ? (slice.first.map { .scalar($0) } ?? .null) : Self.nest(slice, shape: inner)
            }
        }
        if names.count == 1, let name = names.first, let tensor = outputs[name] {
            return .object(["predictions": .array(perRow(tensor))])
        }
        let columns = names.compactMap { name in outputs[name].map { (name, perRow($0)) } }
        let rows = columns.map(\.1.count).max() ?? 0
        let records: [JSONValue] = (0..<rows).map { r in
            .object(Dictionary(uniqueKeysWithValues: columns.map { ($0.0, r < $0.1.count ? $0.1[r] : .null) }))
        }
        return .object(["predictions": .array(records)])
    }

    static func nest(_ elements: [JSONScalar], shape: [Int]) -> JSONValue {
        guard let first = shape.first else { return elements.first.map { .scalar($0) } ?? .null }
        let rest = Array(shape.dropFirst())
        let step = first == 0 ? 0 : elements.count / first
        return .array((0..<first).map { i in nest(Array(elements[(i * step)..<((i + 1) * step)]), shape: rest) })
    }
}
