import Foundation

/// A chi-squared goodness-of-fit test of observed counts against expected ones.
public struct ChiSquaredResult: Sendable, Equatable {
    /// Σ (observed − expected)² / expected.
    public var statistic: Double
    /// P(χ² ≥ statistic) with `degreesOfFreedom` degrees of freedom.
    public var pValue: Double
    public var degreesOfFreedom: Int
}

/// Tests live counts against a reference histogram over the same bins, with the expected counts
/// the reference shares scaled to the live total: `scipy.stats.chisquare(observed,
/// reference / reference.sum() * observed.sum())`.
///
/// `nil` when the lengths differ, there are fewer than two bins, either side is empty, or a bin
/// has a zero reference count (its expected count would be zero; smooth the reference first).
public func chiSquaredGoodnessOfFit(observed: [Int], reference: [Int]) -> ChiSquaredResult? {
    chiSquaredGoodnessOfFit(observed: observed.map(Double.init), reference: reference.map(Double.init))
}

/// The same test on real-valued counts, for smoothed references.
public func chiSquaredGoodnessOfFit(observed: [Double], reference: [Double]) -> ChiSquaredResult? {
    guard observed.count == reference.count, observed.count >= 2 else { return nil }
    let observedTotal = observed.reduce(0, +)
    let referenceTotal = reference.reduce(0, +)
    guard observedTotal > 0, referenceTotal > 0, reference.allSatisfy({ $0 > 0 }), observed.allSatisfy({ $0 >= 0 }) else {
        return nil
    }
    var statistic = 0.0
    for (o, r) in zip(observed, reference) {
        let expected = r / referenceTotal * observedTotal
        statistic += (o - expected) * (o - expected) / expected
    }
    let dof = observed.count - 1
    return ChiSquaredResult(statistic: statistic,
                            pValue: regularizedUpperGamma(Double(dof) / 2, statistic / 2),
                            degreesOfFreedom: dof)
}

/// Q(a, x) = Γ(a, x) / Γ(a): the series below a + 1, Lentz's continued fraction above
/// (Numerical Recipes §6.2), both to double precision.
func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
    guard x > 0 else { return 1 }
    guard x.isFinite else { return 0 }
    let logPrefix = -x + a * log(x) - lgamma(a)
    if x < a + 1 {
        var term = 1 / a, sum = term, ap = a
        for _ in 0..<10_000 {
            ap += 1
            term *= x / ap
            sum += term
            if abs(term) < abs(sum) * 1e-16 { break }
        }
        return min(max(1 - sum * exp(logPrefix), 0), 1)
    }
    let tiny = 1e-300
    var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
    for i in 1...10_000 {
        let an = -Double(i) * (Double(i) - a)
        b += 2
        d = an * d + b
        if abs(d) < tiny { d = tiny }
        c = b + an / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16 { break }
    }
    return min(max(exp(logPrefix) * h, 0), 1)
}
