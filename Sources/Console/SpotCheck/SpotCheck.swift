import Foundation
import NightjarCore

/// The spot check view: feature values typed into a form built from the model's schema, run
/// through the local engine against one or two versions, outputs side by side.
public struct SpotCheck: Sendable, Equatable {
    /// One scalar of one input: "float_input[3]".
    public struct Field: Sendable, Equatable {
        public var input: String
        public var index: Int
        public var label: String
        public var datatype: DataType
        public var text: String = ""
    }

    public struct Output: Sendable, Equatable {
        public var name: String
        /// Every element, printed.
        public var values: [String]

        public init(name: String, values: [String]) {
            self.name = name
            self.values = values
        }
    }

    public enum Outcome: Sendable, Equatable {
        case running
        case done([Output])
        case failed(String)
    }

    /// A form bigger than this is not typed by hand at 2 AM.
    public static let maximumFields = 64

    public var endpoint: String
    public var model: String
    public var versions: [SemVer]
    /// Why these versions (`SpotCheckChoice`), said in the title; empty when built by hand.
    public var why = ""
    /// What each version is, said under its name: "stable 80%", "idle 0%".
    public var roles: [SemVer: String] = [:]
    public var schema: FeatureSchema?
    public var schemaError: String?
    public var fields: [Field] = []
    public var selected = 0
    public var outcomes: [SemVer: Outcome] = [:]
    /// What a running worker of each version answered for the same inputs; absent when no worker
    /// of that version was ready. Compared with the local engine's answer, so a worker serving
    /// something other than the registry's artifact (or a serving bug) shows.
    public var served: [SemVer: Outcome] = [:]

    public init(endpoint: String, model: String, versions: [SemVer]) {
        self.endpoint = endpoint
        self.model = model
        self.versions = versions
    }

    /// Builds the form from a schema: one field per element of each input, a batch dimension of 1.
    public mutating func load(_ schema: FeatureSchema) {
        self.schema = schema
        var fields: [Field] = []
        for spec in schema.inputs {
            let count = spec.shape.reduce(1) { $0 * max(1, $1) }
            guard count <= Self.maximumFields - fields.count else {
                schemaError = "input '\(spec.name)' \(spec.shapeText) has too many values for a form (at most \(Self.maximumFields))"
                self.fields = []
                return
            }
            for i in 0..<count {
                fields.append(Field(input: spec.name, index: i, label: count == 1 ? spec.name : "\(spec.name)[\(i)]", datatype: spec.datatype))
            }
        }
        self.fields = fields
        schemaError = nil
    }

    /// The typed values as tensors, or the first field that does not parse, named.
    public func inputs() -> Result<[String: Tensor], FetchFailure> {
        guard let schema else { return .failure(FetchFailure("the schema is not loaded yet")) }
        var tensors: [String: Tensor] = [:]
        for spec in schema.inputs {
            let fields = self.fields.filter { $0.input == spec.name }
            let shape = spec.shape.map { max(1, $0) }
            func parse<T>(_ convert: (String) -> T?) -> Result<[T], FetchFailure> {
                var values: [T] = []
                for field in fields {
                    let text = field.text.trimmingCharacters(in: .whitespaces)
                    guard !text.isEmpty else {
                        return .failure(FetchFailure("\(field.label) is empty: type a value (\(field.datatype.rawValue))"))
                    }
                    guard let value = convert(text) else {
                        return .failure(FetchFailure("\(field.label) '\(text)' is not a valid \(field.datatype.rawValue) value"))
                    }
                    values.append(value)
                }
                return .success(values)
            }
            /// A number both engines can compute with and JSON can carry to the worker: `nan`, `inf`
            /// and values beyond the type's range (`1e39` is infinity in FP32) are refused by name.
            func parseFinite<T: BinaryFloatingPoint>(_: T.Type) -> Result<[T], FetchFailure> {
                for field in fields {
                    let text = field.text.trimmingCharacters(in: .whitespaces)
                    guard let value = Double(text) else { continue }
                    guard value.isFinite else {
                        return .failure(FetchFailure("\(field.label) '\(text)' is not a finite number"))
                    }
                    guard abs(value) <= Double(T.greatestFiniteMagnitude) else {
                        return .failure(FetchFailure("\(field.label) '\(text)' is outside the \(field.datatype.rawValue) range "
                                                     + "(±\(String(format: "%.3g", Double(T.greatestFiniteMagnitude))))"))
                    }
                }
                return parse { Double($0).map { T($0) } }
            }
            let data: Result<TensorData, FetchFailure>
            switch spec.datatype {
            case .fp32: data = parseFinite(Float.self).map(TensorData.float)
            case .fp64: data = parseFinite(Double.self).map(TensorData.double)
            case .int64: data = parse { Int64($0) }.map(TensorData.int64)
            case .int32: data = parse { Int32($0) }.map(TensorData.int32)
            case .bool: data = parse { ["true": true, "1": true, "false": false, "0": false][$0.lowercased()] }.map(TensorData.bool)
            case .bytes: data = parse { $0 }.map(TensorData.string)
            case .uint8, .int8:
                return .failure(FetchFailure("input '\(spec.name)' is \(spec.datatype.rawValue), which the spot check form cannot type"))
            }
            switch data {
            case .success(let d): tensors[spec.name] = Tensor(shape: shape, data: d)
            case .failure(let why): return .failure(why)
            }
        }
        return .success(tensors)
    }

    /// Whether the worker's answer for `version` is the local engine's, output by output.
    public func servedMatchesLocal(_ version: SemVer) -> Bool? {
        guard case .done(let local)? = outcomes[version], case .done(let served)? = served[version] else { return nil }
        return local.sorted { $0.name < $1.name } == served.sorted { $0.name < $1.name }
    }

    /// Output names whose values differ between the versions compared.
    public var differingOutputs: Set<String> {
        let results = versions.compactMap { v -> [Output]? in
            if case .done(let outputs)? = outcomes[v] { return outputs }
            return nil
        }
        guard results.count == 2 else { return [] }
        var names: Set<String> = []
        for output in results[0] where results[1].first(where: { $0.name == output.name })?.values != output.values {
            names.insert(output.name)
        }
        for output in results[1] where !results[0].contains(where: { $0.name == output.name }) {
            names.insert(output.name)
        }
        return names
    }
}
