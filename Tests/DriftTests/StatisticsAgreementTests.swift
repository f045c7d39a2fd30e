import Drift
import Foundation
import Testing

/// Agreement with scipy on `Fixtures/scipy-statistics.json`, written by
/// `scripts/make-drift-fixtures.py` (the data and scipy's answers; no Python needed here).
@Suite struct StatisticsAgreementTests {
    struct KSCase: Decodable { var name: String; var a: [Double]; var b: [Double]; var statistic: Double; var pValueExact: Double; var pValueLimit: Double }
    struct ChiCase: Decodable { var name: String; var observed: [Int]; var reference: [Int]; var statistic: Double; var pValue: Double }
    struct JSCase: Decodable { var name: String; var p: [Double]; var q: [Double]; var distance: Double }
    struct WCase: Decodable { var name: String; var u: [Double]; var v: [Double]; var distance: Double }
    struct Fixtures: Decodable {
        var scipy: String
        var ks: [KSCase]
        var chiSquared: [ChiCase]
        var jensenShannon: [JSCase]
        var wasserstein: [WCase]
    }

    static let tolerance = 1e-6

    static func load() throws -> Fixtures {
        let url = try #require(Bundle.module.url(forResource: "scipy-statistics", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: url))
    }

    @Test func kolmogorovSmirnovMatchesScipyExact() throws {
        let fixtures = try Self.load()
        #expect(fixtures.ks.count >= 5)
        for c in fixtures.ks {
            let result = try #require(kolmogorovSmirnov(c.a, c.b), "\(c.name)")
            #expect(result.method == .exact, "\(c.name)")
            #expect(abs(result.statistic - c.statistic) < Self.tolerance, "\(c.name): D \(result.statistic) vs scipy \(c.statistic)")
            #expect(abs(result.pValue - c.pValueExact) < Self.tolerance, "\(c.name): p \(result.pValue) vs scipy \(c.pValueExact)")
            // Symmetric in its arguments, as the test is.
            let swapped = try #require(kolmogorovSmirnov(c.b, c.a))
            #expect(abs(swapped.pValue - result.pValue) < 1e-12, "\(c.name)")
        }
    }

    @Test func kolmogorovSmirnovLimitMatchesScipyKstwobign() throws {
        for c in try Self.load().ks {
            let result = try #require(kolmogorovSmirnov(c.a, c.b, exactCellLimit: 0), "\(c.name)")
            #expect(result.method == .limit)
            #expect(abs(result.pValue - c.pValueLimit) < Self.tolerance, "\(c.name): p \(result.pValue) vs scipy \(c.pValueLimit)")
        }
    }

    @Test func chiSquaredMatchesScipy() throws {
        for c in try Self.load().chiSquared {
            let result = try #require(chiSquaredGoodnessOfFit(observed: c.observed, reference: c.reference), "\(c.name)")
            #expect(result.degreesOfFreedom == c.observed.count - 1)
            #expect(abs(result.statistic - c.statistic) < Self.tolerance, "\(c.name): \(result.statistic) vs scipy \(c.statistic)")
            #expect(abs(result.pValue - c.pValue) < Self.tolerance, "\(c.name): p \(result.pValue) vs scipy \(c.pValue)")
        }
    }

    @Test func jensenShannonMatchesScipy() throws {
        for c in try Self.load().jensenShannon {
            let distance = try #require(jensenShannonDistance(c.p, c.q), "\(c.name)")
            #expect(abs(distance - c.distance) < Self.tolerance, "\(c.name): \(distance) vs scipy \(c.distance)")
        }
    }

    @Test func wassersteinMatchesScipy() throws {
        for c in try Self.load().wasserstein {
            let distance = try #require(wassersteinDistance(c.u, c.v), "\(c.name)")
            #expect(abs(distance - c.distance) < Self.tolerance, "\(c.name): \(distance) vs scipy \(c.distance)")
        }
    }

    @Test func statisticsRefuseWhatTheyCannotCompute() {
        #expect(kolmogorovSmirnov([], [1, 2]) == nil)
        #expect(kolmogorovSmirnov([.nan], [1, 2]) == nil)
        #expect(wassersteinDistance([1], []) == nil)
        #expect(jensenShannonDistance([1, 2], [1, 2, 3]) == nil)
        #expect(jensenShannonDistance([0, 0], [1, 2]) == nil)
        #expect(chiSquaredGoodnessOfFit(observed: [1, 2], reference: [0, 5]) == nil)
        #expect(chiSquaredGoodnessOfFit(observed: [3], reference: [5]) == nil)
    }
}
