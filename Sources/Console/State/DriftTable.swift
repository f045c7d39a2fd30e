import NightjarCore

/// How the drift view orders and reads a report's columns: worst verdict first, then the largest
/// main statistic, so the first row is the column to look at.
enum DriftTable {
    /// The one number a row shows: PSI for numeric columns (what the verdict thresholds read first),
    /// the Jensen–Shannon distance for categorical ones (bounded 0…1, unlike χ², which grows with the
    /// sample), falling back to whichever was computed.
    static func mainStatistic(_ column: DriftColumnReport) -> (name: String, value: Double)? {
        let s = column.statistics
        let ordered: [(String, Double?)] = column.kind == .numeric
            ? [("PSI", s.psi), ("JS", s.jensenShannon), ("χ²", s.chiSquared)]
            : [("JS", s.jensenShannon), ("PSI", s.psi), ("χ²", s.chiSquared)]
        for (name, value) in ordered {
            if let value, value.isFinite { return (name, value) }
        }
        return nil
    }

    /// Worst first: verdict severity (drift, warn, not enough data, ok), then the main statistic,
    /// then by name, so equal rows keep one order from refresh to refresh.
    static func ranked(_ columns: [DriftColumnReport]) -> [DriftColumnReport] {
        columns.sorted { a, b in
            if a.verdict.severity != b.verdict.severity { return a.verdict.severity > b.verdict.severity }
            let sa = mainStatistic(a)?.value ?? -1, sb = mainStatistic(b)?.value ?? -1
            if sa != sb { return sa > sb }
            if a.name != b.name { return a.name < b.name }
            return a.role.rawValue < b.role.rawValue
        }
    }

    /// "2000", "12.3k", "1.2M": a live count in six cells.
    static func count(_ n: Int) -> String {
        if n < 10_000 { return String(n) }
        if n < 1_000_000 { return Format.fixed(Double(n) / 1000, decimals: n < 100_000 ? 1 : 0) + "k" }
        return Format.fixed(Double(n) / 1_000_000, decimals: 1) + "M"
    }

    /// "1.12", "0.034", "2301": a statistic with the precision that matters at its size.
    static func value(_ v: Double) -> String {
        let a = abs(v)
        if a >= 100 { return Format.fixed(v, decimals: 0) }
        if a >= 10 { return Format.fixed(v, decimals: 1) }
        if a >= 0.1 || a == 0 { return Format.fixed(v, decimals: 2) }
        return Format.fixed(v, decimals: 3)
    }
}
