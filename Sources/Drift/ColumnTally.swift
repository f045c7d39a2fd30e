import NightjarCore

/// Live values of one column over one or more time buckets: counts over the reference bins,
/// missing values, and (numeric columns) a bounded sample for KS and Wasserstein.
struct ColumnTally: Sendable, Equatable {
    /// Numeric: one per reference bin. Categorical: one per reference category, then `other`.
    var bins: [Int]
    var missing: Int
    var sample: Reservoir

    init(binCount: Int, sampleCapacity: Int, seed: UInt64) {
        self.init(bins: [Int](repeating: 0, count: binCount), missing: 0,
                  sample: Reservoir(capacity: sampleCapacity, seed: seed))
    }

    init(bins: [Int], missing: Int, sample: Reservoir) {
        self.bins = bins
        self.missing = missing
        self.sample = sample
    }

    mutating func merge(_ other: ColumnTally) {
        for i in bins.indices where i < other.bins.count { bins[i] += other.bins[i] }
        missing += other.missing
        sample.merge(other.sample)
    }
}

/// How live values find their column and bin: built once from the profile, shared by every copy of
/// a window (its arrays and dictionaries are copy-on-write and never mutated after init).
struct WindowLayout: Sendable {
    struct Column: Sendable {
        var name: String
        var role: DriftColumnRole
        var kind: DriftColumnKind
        var edges: [Double]
        var categories: [String: Int]
        /// Categories that are integers, so a numeric class label finds its bin without formatting
        /// a string per value.
        var labels: [Int64: Int]
        var binCount: Int
    }

    var columns: [Column]
    var index: [String: Int]
    /// For a tensor name `x`: element j of a row goes to column `tensorColumns[x][j]` (−1: not watched).
    var tensorColumns: [String: [Int]]

    init(profile: ReferenceProfile) {
        columns = profile.columns.map { column in
            switch column.summary {
            case .numeric(let p):
                return Column(name: column.name, role: column.role, kind: .numeric, edges: p.edges,
                              categories: [:], labels: [:], binCount: p.edges.count + 1)
            case .categorical(let p):
                var categories: [String: Int] = [:]
                var labels: [Int64: Int] = [:]
                for (i, c) in p.categories.enumerated() {
                    categories[c] = i
                    if let label = Int64(c) { labels[label] = i }
                }
                return Column(name: column.name, role: column.role, kind: .categorical, edges: [],
                              categories: categories, labels: labels, binCount: p.categories.count + 1)
            }
        }
        var index: [String: Int] = [:]
        var tensorColumns: [String: [Int]] = [:]
        for (i, column) in columns.enumerated() {
            index[column.name] = i
            if let (tensor, element) = Self.splitElementName(column.name) {
                var slots = tensorColumns[tensor, default: []]
                if slots.count <= element { slots += [Int](repeating: -1, count: element + 1 - slots.count) }
                slots[element] = i
                tensorColumns[tensor] = slots
            }
        }
        self.index = index
        self.tensorColumns = tensorColumns
    }

    /// `x[3]` → (`x`, 3), the naming of `TensorColumns`.
    static func splitElementName(_ name: String) -> (String, Int)? {
        guard name.hasSuffix("]"), let open = name.lastIndex(of: "[") else { return nil }
        let digits = name[name.index(after: open)..<name.index(before: name.endIndex)]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let element = Int(digits), element < 1_000_000 else { return nil }
        return (String(name[..<open]), element)
    }
}
