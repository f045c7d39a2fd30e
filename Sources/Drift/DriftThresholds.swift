/// Where a column's statistics turn from ok into warn and drift. Stored per model (Codable), so an
/// operator can loosen a noisy feature's model without rebuilding anything.
public struct DriftThresholds: Sendable, Codable, Equatable {
    /// PSI at or above which a column warns / drifts (both kinds). The usual industry reading:
    /// below 0.1 stable, 0.1–0.25 moderate, above 0.25 significant.
    public var psiWarn: Double
    public var psiDrift: Double
    /// KS p-value below which a numeric column warns / drifts. Deliberately small: with a couple of
    /// thousand values a side, KS notices shifts too small to matter at the usual 0.05.
    public var ksPValueWarn: Double
    public var ksPValueDrift: Double
    /// Jensen–Shannon distance (base 2) at or above which a categorical column warns / drifts.
    public var jensenShannonWarn: Double
    public var jensenShannonDrift: Double
    /// Fewer live values than this (or fewer reference values) gives `notEnoughData` rather than
    /// a verdict built on noise.
    public var minimumSamples: Int

    public init(psiWarn: Double = 0.1, psiDrift: Double = 0.25,
                ksPValueWarn: Double = 1e-3, ksPValueDrift: Double = 1e-6,
                jensenShannonWarn: Double = 0.1, jensenShannonDrift: Double = 0.2,
                minimumSamples: Int = 100) {
        self.psiWarn = psiWarn
        self.psiDrift = psiDrift
        self.ksPValueWarn = ksPValueWarn
        self.ksPValueDrift = ksPValueDrift
        self.jensenShannonWarn = jensenShannonWarn
        self.jensenShannonDrift = jensenShannonDrift
        self.minimumSamples = minimumSamples
    }

    public static let standard = DriftThresholds()
}
