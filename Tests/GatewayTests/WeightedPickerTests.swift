import Gateway
import NightjarCore
import Testing

@Suite struct WeightedPickerTests {
    @Test func drawsFallInProportionToWeights() throws {
        let picker = try WeightedPicker([(target: "stable", weight: 90), (target: "canary", weight: 10)])
        let picks = (0..<100).map { picker.pick(draw: $0) }
        #expect(picks.filter { $0 == "canary" }.count == 10)
        #expect(picker.pick(draw: 89) == "stable" && picker.pick(draw: 90) == "canary")
    }

    @Test func zeroWeightIsNeverPicked() throws {
        let picker = try WeightedPicker([(target: "a", weight: 0), (target: "b", weight: 1)])
        #expect((0..<50).allSatisfy { picker.pick(draw: $0) == "b" })
    }

    @Test func invalidWeightsAreRefused() {
        #expect(throws: NightjarError.self) { try WeightedPicker([(target: "a", weight: -1), (target: "b", weight: 5)]) }
        #expect(throws: NightjarError.self) { try WeightedPicker([(target: "a", weight: 0)]) }
    }
}
