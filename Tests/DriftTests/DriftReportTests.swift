import Drift
import Foundation
import NightjarCore
import Testing

@Suite struct DriftReportTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Three numeric features and a categorical one, 5000 reference rows.
    static func profile() throws -> ReferenceProfile {
        var data = SeededData(seed: 20)
        return try ReferenceProfile.build(columns: [
            "a": .numeric(data.normals(5000)),
            "b": .numeric(data.normals(5000, mean: 10, sd: 2)),
            "c": .numeric(data.normals(5000, mean: -3, sd: 0.5)),
            "plan": .categorical((0..<5000).map { _ in data.pick(["free", "pro", "team"], weights: [6, 3, 1]) }),
        ])
    }

    /// Live rows drawn like the reference, except where a test changes a column.
    static func window(rows: Int, seed: UInt64, shiftB: Double = 0, planWeights: [Double] = [6, 3, 1],
                       missingC: Bool = false, profile: ReferenceProfile) -> DriftWindow {
        var data = SeededData(seed: seed)
        var window = DriftWindow(profile: profile)
        for i in 0..<rows {
            let time = now.addingTimeInterval(-Double(i % 500))
            window.add(data.normal(), column: "a", at: time)
            window.add(data.normal(mean: 10 + shiftB, sd: 2), column: "b", at: time)
            window.add(missingC && i % 2 == 0 ? .nan : data.normal(mean: -3, sd: 0.5), column: "c", at: time)
            window.add(data.pick(["free", "pro", "team"], weights: planWeights), column: "plan", at: time)
        }
        return window
    }

    @Test func identicalDistributionsAreOK() throws {
        let profile = try Self.profile()
        let report = DriftReport.compare(profile: profile, window: Self.window(rows: 2000, seed: 21, profile: profile), at: Self.now)
        #expect(report.verdict == .ok)
        #expect(report.columns.count == 4)
        for column in report.columns {
            #expect(column.verdict == .ok, "\(column.name): \(column.reasons)")
            #expect(column.reasons.isEmpty)
            #expect(column.liveCount == 2000)
            #expect(try #require(column.statistics.psi) < 0.05)
        }
        #expect(try #require(report.column(named: "a")?.statistics.ksPValue) > 1e-3)
    }

    @Test func aShiftedMeanIsDriftOnThatFeatureOnly() throws {
        let profile = try Self.profile()
        let window = Self.window(rows: 2000, seed: 22, shiftB: 2, profile: profile)
        let report = DriftReport.compare(profile: profile, window: window, at: Self.now)
        #expect(report.verdict == .drift)
        let worst = try #require(report.columns.first)
        #expect(worst.name == "b")
        #expect(worst.verdict == .drift)
        #expect(worst.reasons.contains { $0.hasPrefix("PSI ") })
        #expect(worst.reasons.contains { $0.hasPrefix("KS D ") })
        // One standard deviation of shift moves the sample by about 2 units.
        #expect(abs(try #require(worst.statistics.wasserstein) - 2) < 0.3)
        for column in report.columns.dropFirst() {
            #expect(column.verdict == .ok, "\(column.name): \(column.reasons)")
        }
    }

    @Test func aChangedCategoryMixIsDrift() throws {
        let profile = try Self.profile()
        let report = DriftReport.compare(profile: profile,
                                         window: Self.window(rows: 2000, seed: 23, planWeights: [2, 3, 5], profile: profile),
                                         at: Self.now)
        let plan = try #require(report.columns.first)
        #expect(plan.name == "plan")
        #expect(plan.kind == .categorical)
        #expect(plan.verdict == .drift)
        #expect(plan.reasons.contains { $0.hasPrefix("Jensen–Shannon distance") })
        #expect(plan.histogram.labels == ["free", "pro", "team", "other"])
        #expect(abs(plan.histogram.live[2] - 0.5) < 0.05)
    }

    @Test func aFeatureArrivingEmptyIsDrift() throws {
        let profile = try Self.profile()
        let report = DriftReport.compare(profile: profile, window: Self.window(rows: 1000, seed: 24, missingC: true, profile: profile),
                                         at: Self.now)
        let c = try #require(report.columns.first)
        #expect(c.name == "c")
        #expect(c.verdict == .drift)
        #expect(c.liveMissing == 500)
        #expect(c.histogram.labels.last == "missing")
        #expect(abs((c.histogram.live.last ?? 0) - 0.5) < 1e-12)
    }

    @Test func tooFewLiveValuesIsNotEnoughData() throws {
        let profile = try Self.profile()
        // Shifted far enough to be obvious, but only 40 rows: no verdict is guessed.
        let report = DriftReport.compare(profile: profile, window: Self.window(rows: 40, seed: 25, shiftB: 5, profile: profile),
                                         thresholds: DriftThresholds(minimumSamples: 100), at: Self.now)
        #expect(report.verdict == .notEnoughData)
        for column in report.columns {
            #expect(column.verdict == .notEnoughData)
            #expect(column.reasons == ["40 live values in the window; 100 needed"])
        }
        let empty = DriftReport.compare(profile: profile, window: DriftWindow(profile: profile), at: Self.now)
        #expect(empty.columns.allSatisfy { $0.verdict == .notEnoughData && $0.liveCount == 0 })
    }

    @Test func thresholdsAreTheOperatorsToSet() throws {
        let profile = try Self.profile()
        let window = Self.window(rows: 2000, seed: 26, shiftB: 0.3, profile: profile)
        let strict = DriftReport.compare(profile: profile, window: window, thresholds: DriftThresholds(psiWarn: 0.001, psiDrift: 0.002), at: Self.now)
        #expect(strict.verdict == .drift)
        let lax = DriftReport.compare(profile: profile, window: window,
                                      thresholds: DriftThresholds(psiWarn: 5, psiDrift: 10, ksPValueWarn: 0, ksPValueDrift: 0,
                                                                  jensenShannonWarn: 1.1, jensenShannonDrift: 1.1),
                                      at: Self.now)
        #expect(lax.verdict == .ok)
    }

    @Test func theReportTravelsAsJSONWithDrawableHistograms() throws {
        let profile = try Self.profile()
        let report = DriftReport.compare(profile: profile, window: Self.window(rows: 1500, seed: 27, shiftB: 2, profile: profile),
                                         at: Self.now)
        #expect(report.windowSeconds == 600)
        for column in report.columns {
            #expect(column.histogram.labels.count == column.histogram.reference.count)
            #expect(column.histogram.labels.count == column.histogram.live.count)
            #expect(abs(column.histogram.reference.reduce(0, +) - 1) < 1e-9)
            #expect(abs(column.histogram.live.reduce(0, +) - 1) < 1e-9)
        }
        let b = try #require(report.column(named: "b"))
        #expect(b.histogram.labels.first?.hasPrefix("< ") == true)
        #expect(b.histogram.labels.last?.hasPrefix("≥ ") == true)
        let decoded = try JSONDecoder().decode(DriftReport.self, from: JSONEncoder().encode(report))
        #expect(decoded == report)
    }

    @Test func aWindowFromAnotherProfileIsNotCompared() throws {
        let profile = try Self.profile()
        let other = try ReferenceProfile.build(columns: ["a": .categorical(["x", "y"])])
        var window = DriftWindow(profile: other)
        for _ in 0..<500 { window.add("x", column: "a", at: Self.now) }
        let report = DriftReport.compare(profile: profile, window: window, at: Self.now)
        let a = try #require(report.column(named: "a"))
        #expect(a.verdict == .notEnoughData)
        #expect(a.reasons.first?.contains("another reference profile") == true)
    }
}
