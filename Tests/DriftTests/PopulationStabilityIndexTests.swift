import Drift
import Foundation
import Testing

@Suite struct PopulationStabilityIndexTests {
    @Test func identicalDistributionsHaveZeroPSI() throws {
        #expect(try #require(populationStabilityIndex(reference: [10, 20, 30], live: [1, 2, 3])) < 1e-12)
    }

    @Test func matchesTheTextbookFormula() throws {
        // Shares 0.5/0.5 against 0.8/0.2: 0.3·ln(1.6) + (−0.3)·ln(0.4).
        let expected = 0.3 * log(1.6) - 0.3 * log(0.4)
        #expect(abs(try #require(populationStabilityIndex(reference: [50, 50], live: [80, 20])) - expected) < 1e-12)
    }

    @Test func mismatchedOrEmptyHistogramsHaveNoValue() {
        #expect(populationStabilityIndex(reference: [1, 2], live: [1, 2, 3]) == nil)
        #expect(populationStabilityIndex(reference: [0, 0], live: [1, 2]) == nil)
    }
}
