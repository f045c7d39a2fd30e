/// A numeric column's reference: fixed bins cut at the reference quantiles, the reference counts in
/// them, and a bounded sorted sample for the KS test and the Wasserstein distance.
public struct NumericProfile: Sendable, Codable, Equatable {
    /// Strictly increasing cut points. Bin 0 is everything below `edges[0]` (the reference minimum),
    /// bin i is `[edges[i-1], edges[i])`, the last bin is everything at or above the last edge
    /// (just above the reference maximum). The two outer bins are empty in the reference, so live
    /// values outside the reference range show up as a shift instead of hiding in an end bin.
    public var edges: [Double]
    /// Reference count per bin, `edges.count + 1` of them.
    public var counts: [Int]
    /// Reference values that were NaN or infinite.
    public var missing: Int
    /// At most `sampleSize` finite reference values, sorted: all of them when there are few, else
    /// evenly spaced order statistics (a deterministic quantile summary).
    public var sample: [Double]

    public init(edges: [Double], counts: [Int], missing: Int, sample: [Double]) {
        self.edges = edges
        self.counts = counts
        self.missing = missing
        self.sample = sample
    }

    /// Bins cut at the `binCount`-quantiles of the finite values. Ties collapse edges, so a column
    /// with few distinct values gets one bin per value rather than empty slivers.
    public init(values: [Double], binCount: Int = 10, sampleSize: Int = 2048) {
        let finite = values.filter(\.isFinite).sorted()
        let bins = min(max(binCount, 1), 10_000)
        var edges: [Double] = []
        if let lowest = finite.first, let highest = finite.last {
            var candidates = [lowest]
            for k in 1..<bins {
                candidates.append(finite[min(finite.count - 1, k * finite.count / bins)])
            }
            // Just above the maximum, so the maximum stays inside the reference range.
            if highest.nextUp.isFinite { candidates.append(highest.nextUp) }
            for c in candidates where edges.last.map({ c > $0 }) ?? true { edges.append(c) }
        }
        var counts = [Int](repeating: 0, count: edges.count + 1)
        for v in finite { counts[Self.bin(of: v, edges: edges)] += 1 }
        self.init(edges: edges, counts: counts, missing: values.count - finite.count,
                  sample: Self.quantileSummary(sorted: finite, size: sampleSize))
    }

    /// Finite reference values.
    public var count: Int { counts.reduce(0, +) }

    /// The bin `value` falls in (callers route NaN and infinities to `missing` first).
    public func bin(of value: Double) -> Int { Self.bin(of: value, edges: edges) }

    /// How many edges are ≤ value: a binary search, no allocation. Written without a data-dependent
    /// branch (the comparison picks a value, which compiles to a conditional move), because live
    /// values land in unpredictable bins and mispredicted branches dominated the cost per value.
    static func bin(of value: Double, edges: [Double]) -> Int {
        edges.withUnsafeBufferPointer { e in
            var n = e.count
            guard n > 0 else { return 0 }
            var base = 0
            while n > 1 {
                let half = n / 2
                base = e[base + half] <= value ? base + half : base
                n -= half
            }
            return base + (e[base] <= value ? 1 : 0)
        }
    }

    static func quantileSummary(sorted: [Double], size: Int) -> [Double] {
        guard sorted.count > size else { return sorted }
        guard size > 0 else { return [] }
        let n = Double(sorted.count), s = Double(size)
        return (0..<size).map { i in sorted[min(sorted.count - 1, Int((Double(i) + 0.5) * n / s))] }
    }
}

extension NumericProfile {
    private enum CodingKeys: String, CodingKey { case edges, counts, missing, sample }

    /// Profiles come back from storage: a hand-edited or damaged one is refused here, with what is
    /// wrong, rather than binning live values wrongly later.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let edges = try c.decode([Double].self, forKey: .edges)
        let counts = try c.decode([Int].self, forKey: .counts)
        func corrupt(_ message: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: c.codingPath, debugDescription: message))
        }
        guard zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }), edges.allSatisfy(\.isFinite) else {
            throw corrupt("numeric profile edges must be finite and strictly increasing")
        }
        guard counts.count == edges.count + 1, counts.allSatisfy({ $0 >= 0 }) else {
            throw corrupt("numeric profile has \(counts.count) counts for \(edges.count) edges; expected \(edges.count + 1), none negative")
        }
        let sample = try c.decode([Double].self, forKey: .sample)
        self.init(edges: edges, counts: counts, missing: max(try c.decode(Int.self, forKey: .missing), 0),
                  sample: sample.filter(\.isFinite).sorted())
    }
}
