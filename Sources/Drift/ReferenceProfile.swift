import NightjarCore

/// What a model version's inputs and outputs looked like on reference data (typically its
/// training or validation set), kept small enough to store as JSON beside the version at push time
/// and to load into every worker that serves it.
public struct ReferenceProfile: Sendable, Codable, Equatable {
    /// Bumped when the JSON layout changes incompatibly.
    public var formatVersion: Int
    /// Features first, then outputs, each sorted by name.
    public var columns: [ColumnProfile]

    public static let currentFormatVersion = 1

    public init(columns: [ColumnProfile]) {
        formatVersion = Self.currentFormatVersion
        self.columns = columns.sorted { ($0.role == .feature ? 0 : 1, $0.name) < ($1.role == .feature ? 0 : 1, $1.name) }
    }

    /// How much of the reference data a profile keeps.
    public struct Options: Sendable, Equatable {
        /// Quantile bins per numeric column (fewer when values tie), plus the two outer bins.
        public var binCount: Int
        /// Sorted sample kept per numeric column for KS and Wasserstein.
        public var sampleSize: Int
        /// Categories kept per categorical column; the rest share `other`.
        public var maxCategories: Int

        public init(binCount: Int = 10, sampleSize: Int = 2048, maxCategories: Int = 50) {
            self.binCount = binCount
            self.sampleSize = sampleSize
            self.maxCategories = maxCategories
        }
    }

    /// Profiles every column. A name may not be both a feature and an output: live values are
    /// routed to columns by name.
    public static func build(columns features: [String: ColumnValues], outputs: [String: ColumnValues] = [:],
                             options: Options = Options()) throws(NightjarError) -> ReferenceProfile {
        if let clash = features.keys.sorted().first(where: { outputs[$0] != nil }) {
            throw .invalidArgument("column '\(clash)' is given both as a feature and as an output; rename one")
        }
        func profile(_ name: String, _ values: ColumnValues, _ role: DriftColumnRole) -> ColumnProfile {
            switch values {
            case .numeric(let v):
                ColumnProfile(name: name, role: role, summary: .numeric(
                    NumericProfile(values: v, binCount: options.binCount, sampleSize: options.sampleSize)))
            case .categorical(let v):
                ColumnProfile(name: name, role: role, summary: .categorical(
                    CategoricalProfile(values: v, maxCategories: options.maxCategories)))
            }
        }
        return ReferenceProfile(columns: features.map { profile($0.key, $0.value, .feature) }
            + outputs.map { profile($0.key, $0.value, .output) })
    }

    public func column(named name: String) -> ColumnProfile? {
        columns.first { $0.name == name }
    }
}

extension ReferenceProfile {
    /// A profile of every column of a CSV file (see `CSVColumns` for the format), all as features.
    public static func build(csv text: String, options: Options = Options()) throws(NightjarError) -> ReferenceProfile {
        try build(columns: CSVColumns.parse(text), options: options)
    }

    /// A profile of the inputs of logged OIP v2 infer requests, one JSON request per line; a
    /// `[n, k]` input `x` becomes features `x[0]` … `x[k-1]` (see `TensorColumns`).
    public static func build(inferenceRequestsJSONL text: String, options: Options = Options()) throws(NightjarError) -> ReferenceProfile {
        try build(columns: InferenceRequestColumns.parse(jsonLines: text), options: options)
    }
}
