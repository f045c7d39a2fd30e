import Foundation

/// Population Stability Index between a reference and a live histogram over the same bins.
///
/// PSI = Σ (liveᵢ − refᵢ) · ln(liveᵢ / refᵢ) over bin shares. Empty bins get a small floor share so
/// that a bin seen only on one side counts as a large, finite shift rather than infinity.
/// Usual reading: below 0.1 stable, 0.1–0.25 moderate shift, above 0.25 significant shift.
public func populationStabilityIndex(reference: [Int], live: [Int], floor: Double = 1e-4) -> Double? {
    guard reference.count == live.count, !reference.isEmpty else { return nil }
    let refTotal = Double(reference.reduce(0, +))
    let liveTotal = Double(live.reduce(0, +))
    guard refTotal > 0, liveTotal > 0 else { return nil }
    var psi = 0.0
    for (r, l) in zip(reference, live) {
        let p = max(Double(r) / refTotal, floor)
        let q = max(Double(l) / liveTotal, floor)
        psi += (q - p) * log(q / p)
    }
    return psi
}
