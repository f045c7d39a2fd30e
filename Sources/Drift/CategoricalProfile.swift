/// A categorical column's reference: the most frequent categories with their counts, and one
/// `other` bucket for the rest (and, live, for categories the reference never saw).
public struct CategoricalProfile: Sendable, Codable, Equatable {
    /// Most frequent first; ties by name, so the order does not depend on input order.
    public var categories: [String]
    public var counts: [Int]
    /// Reference values outside `categories`.
    public var other: Int

    public init(categories: [String], counts: [Int], other: Int) {
        self.categories = categories
        self.counts = counts
        self.other = other
    }

    /// Keeps the `maxCategories` most frequent values; a column with thousands of distinct values
    /// (an id) would otherwise make a profile as large as its data.
    public init(values: [String], maxCategories: Int = 50) {
        var frequency: [String: Int] = [:]
        for v in values { frequency[v, default: 0] += 1 }
        let ranked = frequency.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let kept = ranked.prefix(max(maxCategories, 0))
        self.init(categories: kept.map(\.key), counts: kept.map(\.value),
                  other: ranked.dropFirst(kept.count).reduce(0) { $0 + $1.value })
    }

    /// All reference values.
    public var count: Int { counts.reduce(0, +) + other }

    /// Bins as compared: one per category, then `other`.
    public var binCounts: [Int] { counts + [other] }
}

extension CategoricalProfile {
    private enum CodingKeys: String, CodingKey { case categories, counts, other }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let categories = try c.decode([String].self, forKey: .categories)
        let counts = try c.decode([Int].self, forKey: .counts)
        guard counts.count == categories.count, counts.allSatisfy({ $0 >= 0 }), Set(categories).count == categories.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription:
                "categorical profile needs one non-negative count per category and no category twice (\(categories.count) categories, \(counts.count) counts)"))
        }
        self.init(categories: categories, counts: counts, other: max(try c.decode(Int.self, forKey: .other), 0))
    }
}
