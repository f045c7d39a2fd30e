/// How far live traffic has moved from a model version's reference data, as a worker serves it on
/// its drift endpoint and the console draws it. Computed by `Drift` (`DriftReport.compare`); decoded
/// by processes that do not import `Drift`, so it lives here as plain Codable values.

/// Whether a watched column is a model input or something the model answered.
public enum DriftColumnRole: String, Sendable, Codable, Equatable, CaseIterable {
    case feature
    case output
}

/// Numeric columns are compared as binned distributions and samples; categorical columns (strings,
/// booleans, class labels) as category frequencies.
public enum DriftColumnKind: String, Sendable, Codable, Equatable, CaseIterable {
    case numeric
    case categorical
}

/// The reading of one column, or of a whole report (its worst column).
public enum DriftVerdict: String, Sendable, Codable, Equatable, CaseIterable {
    /// Live values look like the reference.
    case ok
    /// A moderate shift: worth a look, not yet a reason to act.
    case warn
    /// A significant shift.
    case drift
    /// Too few live (or reference) values to say anything; not a guess either way.
    case notEnoughData

    /// Ordering for "worst first": drift, warn, not enough data, ok.
    public var severity: Int {
        switch self {
        case .ok: 0
        case .notEnoughData: 1
        case .warn: 2
        case .drift: 3
        }
    }
}

/// The statistics computed for one column. A statistic that does not apply to the column's kind,
/// or could not be computed (no values on one side), is absent.
public struct DriftStatistics: Sendable, Codable, Equatable {
    /// Population Stability Index over the reference bins (and a missing-value bin).
    public var psi: Double?
    /// Two-sample Kolmogorov–Smirnov statistic D and its p-value (numeric columns).
    public var ksStatistic: Double?
    public var ksPValue: Double?
    /// Chi-squared goodness of fit of the live bin counts against the reference shares.
    public var chiSquared: Double?
    public var chiSquaredPValue: Double?
    /// Jensen–Shannon distance (base 2, between 0 and 1) of the binned distributions.
    public var jensenShannon: Double?
    /// Wasserstein-1 distance between the reference and live samples, in the column's own units.
    public var wasserstein: Double?

    public init(psi: Double? = nil, ksStatistic: Double? = nil, ksPValue: Double? = nil,
                chiSquared: Double? = nil, chiSquaredPValue: Double? = nil,
                jensenShannon: Double? = nil, wasserstein: Double? = nil) {
        self.psi = psi
        self.ksStatistic = ksStatistic
        self.ksPValue = ksPValue
        self.chiSquared = chiSquared
        self.chiSquaredPValue = chiSquaredPValue
        self.jensenShannon = jensenShannon
        self.wasserstein = wasserstein
    }
}

/// Reference and live distributions over the same bins, as shares (each side sums to 1, or is all
/// zeros when that side has no values), ready for a console to draw side by side.
public struct DriftHistogram: Sendable, Codable, Equatable {
    /// One label per bin: `< 0.5`, `[0.5, 1.2)`, `≥ 9`, `missing` for numeric columns; the category,
    /// or `other`, for categorical ones.
    public var labels: [String]
    public var reference: [Double]
    public var live: [Double]

    public init(labels: [String], reference: [Double], live: [Double]) {
        self.labels = labels
        self.reference = reference
        self.live = live
    }
}

/// One column's comparison.
public struct DriftColumnReport: Sendable, Codable, Equatable {
    public var name: String
    public var role: DriftColumnRole
    public var kind: DriftColumnKind
    public var verdict: DriftVerdict
    /// Why the verdict is what it is, one short sentence per threshold crossed (empty when ok).
    public var reasons: [String]
    public var statistics: DriftStatistics
    public var histogram: DriftHistogram
    /// Values counted on each side, missing ones (NaN, infinite) included.
    public var referenceCount: Int
    public var liveCount: Int
    public var referenceMissing: Int
    public var liveMissing: Int

    public init(name: String, role: DriftColumnRole, kind: DriftColumnKind, verdict: DriftVerdict,
                reasons: [String], statistics: DriftStatistics, histogram: DriftHistogram,
                referenceCount: Int, liveCount: Int, referenceMissing: Int, liveMissing: Int) {
        self.name = name
        self.role = role
        self.kind = kind
        self.verdict = verdict
        self.reasons = reasons
        self.statistics = statistics
        self.histogram = histogram
        self.referenceCount = referenceCount
        self.liveCount = liveCount
        self.referenceMissing = referenceMissing
        self.liveMissing = liveMissing
    }
}

/// Every watched column of one model version, worst first.
public struct DriftReport: Sendable, Codable, Equatable {
    /// The worst column verdict; `notEnoughData` when there are no columns.
    public var verdict: DriftVerdict
    /// How much recent traffic the live side covers.
    public var windowSeconds: Int
    public var columns: [DriftColumnReport]

    /// Sorts the columns worst first: by verdict, then by PSI (largest first), then by name.
    public init(windowSeconds: Int, columns: [DriftColumnReport]) {
        self.windowSeconds = windowSeconds
        self.columns = columns.sorted { a, b in
            if a.verdict.severity != b.verdict.severity { return a.verdict.severity > b.verdict.severity }
            let pa = a.statistics.psi ?? 0, pb = b.statistics.psi ?? 0
            if pa != pb { return pa > pb }
            if a.name != b.name { return a.name < b.name }
            return a.role.rawValue < b.role.rawValue
        }
        self.verdict = self.columns.first?.verdict ?? .notEnoughData
    }

    /// The column named `name`, if watched.
    public func column(named name: String) -> DriftColumnReport? {
        columns.first { $0.name == name }
    }
}
