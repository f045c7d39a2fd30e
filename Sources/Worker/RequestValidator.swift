import NightjarCore

/// Checks a request's tensors against the version's `FeatureSchema` before they reach the batcher,
/// so a bad request is a 400 naming the input and what was expected, never an engine failure.
public struct RequestValidator: Sendable {
    public let schema: FeatureSchema
    /// NaN and ±infinity are refused unless the operator allows them; most models turn them into
    /// garbage silently.
    public let allowNonFinite: Bool

    public init(schema: FeatureSchema, allowNonFinite: Bool = false) {
        self.schema = schema
        self.allowNonFinite = allowNonFinite
    }

    /// Names, datatypes and shapes (the schema's own check), then what the schema cannot say:
    /// at least one row, every input with the same number of rows, finite numbers.
    public func validate(_ inputs: [String: Tensor]) throws(NightjarError) {
        try schema.validate(inputs)
        let batched = schema.inputs.filter { ($0.shape.first ?? 0) < 0 }
        var rowsSeen: (name: String, rows: Int)?
        for spec in batched {
            guard let tensor = inputs[spec.name], let rows = tensor.shape.first else { continue }
            guard rows > 0 else {
                throw .invalidArgument("input '\(spec.name)': shape \(tensor.shape) has no rows; send at least one row (\(spec.shapeText))")
            }
            if let seen = rowsSeen, seen.rows != rows {
                throw .invalidArgument("inputs disagree on the number of rows: '\(seen.name)' has \(seen.rows), '\(spec.name)' has \(rows)")
            }
            rowsSeen = (spec.name, rows)
        }
        guard !allowNonFinite else { return }
        for spec in schema.inputs {
            guard let tensor = inputs[spec.name] else { continue }
            let index: Int?
            switch tensor.data {
            case .float(let v): index = v.firstIndex { !$0.isFinite }
            case .double(let v): index = v.firstIndex { !$0.isFinite }
            default: index = nil
            }
            if let index {
                throw .invalidArgument("input '\(spec.name)': element \(index) is not a finite number (NaN, infinity, or too large for \(spec.datatype.rawValue)); this worker accepts finite numbers only")
            }
        }
    }
}
