import NightjarCore

/// A window's buckets merged: what `DriftReport.compare` reads.
public struct WindowCounts: Sendable, Equatable {
    public var windowSeconds: Int
    /// In the profile's column order.
    public var columns: [ColumnCounts]

    public init(windowSeconds: Int, columns: [ColumnCounts]) {
        self.windowSeconds = windowSeconds
        self.columns = columns
    }

    public func column(named name: String) -> ColumnCounts? {
        columns.first { $0.name == name }
    }
}

/// Live values of one column over a window.
public struct ColumnCounts: Sendable, Equatable {
    public var name: String
    public var role: DriftColumnRole
    public var kind: DriftColumnKind
    /// Over the reference bins: numeric bins as `NumericProfile.edges` cut them; categorical bins
    /// per reference category, then `other`.
    public var bins: [Int]
    /// NaN or infinite values (numeric columns).
    public var missing: Int
    /// A bounded uniform sample of the finite values, sorted (numeric columns).
    public var sample: [Double]

    public init(name: String, role: DriftColumnRole, kind: DriftColumnKind, bins: [Int], missing: Int, sample: [Double]) {
        self.name = name
        self.role = role
        self.kind = kind
        self.bins = bins
        self.missing = missing
        self.sample = sample
    }

    /// All values seen, missing ones included.
    public var count: Int { bins.reduce(0, +) + missing }
}
