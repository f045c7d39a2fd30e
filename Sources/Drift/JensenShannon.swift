import Foundation

/// Jensen–Shannon distance between two histograms over the same bins, base 2, so 0 means identical
/// and 1 means no overlap at all: `scipy.spatial.distance.jensenshannon(p, q, base=2)`.
/// Each side is normalised to shares first, so raw counts are fine.
///
/// `nil` when the lengths differ or either side sums to zero or has a negative entry.
public func jensenShannonDistance(_ p: [Double], _ q: [Double]) -> Double? {
    guard p.count == q.count, !p.isEmpty, p.allSatisfy({ $0 >= 0 }), q.allSatisfy({ $0 >= 0 }) else { return nil }
    let pTotal = p.reduce(0, +), qTotal = q.reduce(0, +)
    guard pTotal > 0, qTotal > 0 else { return nil }
    var divergence = 0.0
    for (rawP, rawQ) in zip(p, q) {
        let a = rawP / pTotal, b = rawQ / qTotal
        let mean = (a + b) / 2
        if a > 0 { divergence += a * log(a / mean) }
        if b > 0 { divergence += b * log(b / mean) }
    }
    // Rounding can leave a hair below zero for identical inputs.
    return max(divergence / 2 / log(2), 0).squareRoot()
}

/// The same distance over integer counts.
public func jensenShannonDistance(_ p: [Int], _ q: [Int]) -> Double? {
    jensenShannonDistance(p.map(Double.init), q.map(Double.init))
}
