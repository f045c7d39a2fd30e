/// Wasserstein-1 (earth mover's) distance between two samples: the area between their empirical
/// CDFs, in the values' own units. `scipy.stats.wasserstein_distance(u, v)`.
/// NaN values are ignored; `nil` when either sample has no values.
public func wassersteinDistance(_ u: [Double], _ v: [Double]) -> Double? {
    let a = u.filter { !$0.isNaN }.sorted()
    let b = v.filter { !$0.isNaN }.sorted()
    guard !a.isEmpty, !b.isEmpty else { return nil }
    let n = Double(a.count), m = Double(b.count)
    // Sweep the merged values left to right; between consecutive values both CDFs are constant.
    var i = 0, j = 0
    var previous = min(a[0], b[0])
    var area = 0.0
    while i < a.count || j < b.count {
        let next: Double
        if i < a.count, j < b.count { next = min(a[i], b[j]) } else if i < a.count { next = a[i] } else { next = b[j] }
        area += abs(Double(i) / n - Double(j) / m) * (next - previous)
        previous = next
        while i < a.count, a[i] <= next { i += 1 }
        while j < b.count, b[j] <= next { j += 1 }
    }
    return area
}
