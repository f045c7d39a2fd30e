import Foundation
import NightjarCore

extension DriftReport {
    /// Compares a window of live traffic with the reference it was built from, column by column.
    public static func compare(profile: ReferenceProfile, window: DriftWindow,
                               thresholds: DriftThresholds = .standard, at now: Date) -> DriftReport {
        compare(profile: profile, live: window.counts(at: now), thresholds: thresholds)
    }

    /// Compares merged live counts with a reference profile. A profile column with no matching
    /// live column (same name, kind and bins) is reported as `notEnoughData`, saying so.
    public static func compare(profile: ReferenceProfile, live: WindowCounts,
                               thresholds: DriftThresholds = .standard) -> DriftReport {
        let columns = profile.columns.map { column in
            ColumnComparison(reference: column, live: live.column(named: column.name), thresholds: thresholds).report
        }
        return DriftReport(windowSeconds: live.windowSeconds, columns: columns)
    }
}

/// One column's statistics and verdict.
struct ColumnComparison {
    let report: DriftColumnReport

    init(reference: ColumnProfile, live candidate: ColumnCounts?, thresholds: DriftThresholds) {
        let referenceBins: [Int], labels: [String], referenceMissing: Int
        switch reference.summary {
        case .numeric(let p):
            referenceBins = p.counts
            labels = Self.binLabels(edges: p.edges)
            referenceMissing = p.missing
        case .categorical(let p):
            referenceBins = p.binCounts
            labels = p.categories + ["other"]
            referenceMissing = 0
        }
        guard let live = candidate, live.kind == reference.kind, live.bins.count == referenceBins.count else {
            let shares = Self.shares(referenceBins + [referenceMissing])
            report = DriftColumnReport(
                name: reference.name, role: reference.role, kind: reference.kind, verdict: .notEnoughData,
                reasons: ["no live values binned for this profile: the window was built from another reference profile"],
                statistics: DriftStatistics(),
                histogram: DriftHistogram(labels: labels + ["missing"], reference: shares, live: shares.map { _ in 0 }),
                referenceCount: reference.count, liveCount: 0, referenceMissing: referenceMissing, liveMissing: 0)
            return
        }

        // Missing values are a bin of their own: a feature that starts arriving empty is drift.
        let referenceWithMissing = referenceBins + [referenceMissing]
        let liveWithMissing = live.bins + [live.missing]
        var statistics = DriftStatistics()
        statistics.psi = populationStabilityIndex(reference: referenceWithMissing, live: liveWithMissing)
        statistics.jensenShannon = jensenShannonDistance(referenceWithMissing, liveWithMissing)
        if let chi = Self.chiSquared(reference: referenceWithMissing, live: liveWithMissing) {
            statistics.chiSquared = chi.statistic
            statistics.chiSquaredPValue = chi.pValue
        }
        if case .numeric(let p) = reference.summary {
            if let ks = kolmogorovSmirnov(p.sample, live.sample) {
                statistics.ksStatistic = ks.statistic
                statistics.ksPValue = ks.pValue
            }
            statistics.wasserstein = wassersteinDistance(p.sample, live.sample)
        }

        let (verdict, reasons) = Self.verdict(kind: reference.kind, statistics: statistics,
                                              referenceCount: reference.count, liveCount: live.count,
                                              thresholds: thresholds)
        let showMissing = referenceMissing > 0 || live.missing > 0
        report = DriftColumnReport(
            name: reference.name, role: reference.role, kind: reference.kind, verdict: verdict, reasons: reasons,
            statistics: statistics,
            histogram: DriftHistogram(
                labels: showMissing ? labels + ["missing"] : labels,
                reference: Self.shares(showMissing ? referenceWithMissing : referenceBins, total: referenceWithMissing.reduce(0, +)),
                live: Self.shares(showMissing ? liveWithMissing : live.bins, total: liveWithMissing.reduce(0, +))),
            referenceCount: reference.count, liveCount: live.count,
            referenceMissing: referenceMissing, liveMissing: live.missing)
    }

    static func verdict(kind: DriftColumnKind, statistics s: DriftStatistics, referenceCount: Int, liveCount: Int,
                        thresholds t: DriftThresholds) -> (DriftVerdict, [String]) {
        if liveCount < t.minimumSamples {
            return (.notEnoughData, ["\(liveCount) live values in the window; \(t.minimumSamples) needed"])
        }
        if referenceCount < t.minimumSamples {
            return (.notEnoughData, ["the reference has \(referenceCount) values; \(t.minimumSamples) needed"])
        }
        var verdict = DriftVerdict.ok
        var reasons: [String] = []
        func raise(_ level: DriftVerdict, _ reason: String) {
            if level.severity > verdict.severity { verdict = level }
            reasons.append(reason)
        }
        if let psi = s.psi {
            if psi >= t.psiDrift { raise(.drift, "PSI \(format(psi)) ≥ \(format(t.psiDrift))") }
            else if psi >= t.psiWarn { raise(.warn, "PSI \(format(psi)) ≥ \(format(t.psiWarn))") }
        }
        if kind == .numeric, let p = s.ksPValue, let d = s.ksStatistic {
            if p < t.ksPValueDrift { raise(.drift, "KS D \(format(d)), p-value \(format(p)) < \(format(t.ksPValueDrift))") }
            else if p < t.ksPValueWarn { raise(.warn, "KS D \(format(d)), p-value \(format(p)) < \(format(t.ksPValueWarn))") }
        }
        if kind == .categorical, let js = s.jensenShannon {
            if js >= t.jensenShannonDrift { raise(.drift, "Jensen–Shannon distance \(format(js)) ≥ \(format(t.jensenShannonDrift))") }
            else if js >= t.jensenShannonWarn { raise(.warn, "Jensen–Shannon distance \(format(js)) ≥ \(format(t.jensenShannonWarn))") }
        }
        return (verdict, reasons)
    }

    /// Chi-squared over the bins either side uses, with half a count added to reference bins that
    /// are empty (the outer numeric bins always are), so a value never seen in the reference weighs
    /// heavily instead of making the statistic infinite.
    static func chiSquared(reference: [Int], live: [Int]) -> ChiSquaredResult? {
        var observed: [Double] = [], expected: [Double] = []
        for (r, l) in zip(reference, live) where r > 0 || l > 0 {
            observed.append(Double(l))
            expected.append(r > 0 ? Double(r) : 0.5)
        }
        return chiSquaredGoodnessOfFit(observed: observed, reference: expected)
    }

    static func shares(_ counts: [Int], total: Int? = nil) -> [Double] {
        let sum = Double(total ?? counts.reduce(0, +))
        return counts.map { sum > 0 ? Double($0) / sum : 0 }
    }

    static func binLabels(edges: [Double]) -> [String] {
        guard let first = edges.first, let last = edges.last else { return ["all values"] }
        var labels = ["< \(format(first))"]
        for i in 1..<edges.count { labels.append("[\(format(edges[i - 1])), \(format(edges[i])))") }
        labels.append("≥ \(format(last))")
        return labels
    }
}

/// Four significant digits: enough to tell bins and thresholds apart on a console line.
func format(_ value: Double) -> String {
    String(format: "%.4g", value)
}
