import Foundation
import NightjarCore
import Testing
@testable import Console

/// Every view at 80x24 and 160x48, in the default theme (characters and roles) and in mono (the
/// attributes each cell gets without colour), so no screen changes unseen. GoldenScreenTests holds
/// the screens with assertions of their own; this suite fills in the rest of the grid.
@Suite struct GoldenCoverageTests {
    enum View: String, CaseIterable, Sendable {
        case overview, endpoint, events, workers, models, help, spotCheck = "spot-check"

        /// The keys an operator would press from the overview to get here.
        func open(_ state: inout AppState) {
            switch self {
            case .overview: break
            case .endpoint: press(&state, .enter)
            case .events, .workers, .models:
                press(&state, .character(":"))
                type(&state, rawValue)
                press(&state, .enter)
            case .help: press(&state, .character("?"))
            case .spotCheck: GoldenCoverageTests.spotCheckWithAnswers(&state)
            }
        }

        /// Screens GoldenScreenTests already compares in the default theme at this size.
        func hasDefaultGolden(width: Int) -> Bool {
            switch self {
            case .overview, .endpoint, .events: true
            case .workers, .models, .help: width == 80
            case .spotCheck: false
            }
        }

        var goldenName: String {
            switch self {
            case .endpoint: "endpoint-fraud"
            case .help: "help-overview"
            case .spotCheck: "spot-check-fraud"
            default: rawValue
            }
        }
    }

    static let sizes = [(80, 24), (160, 48)]

    /// fraud's stable and canary run on the same typed row and disagree on the label; the stable
    /// worker serves the same answer, the canary's worker a different one.
    static func spotCheckWithAnswers(_ state: inout AppState) {
        press(&state, .enter, .right, .character("s"))
        let schema = FeatureSchema(inputs: [TensorSpec(name: "features", datatype: .fp32, shape: [-1, 3])],
                                   outputs: [TensorSpec(name: "label", datatype: .int64, shape: [-1]),
                                             TensorSpec(name: "probabilities", datatype: .fp32, shape: [-1, 2])])
        _ = reduce(&state, .spotSchemaLoaded(ModelRef(name: "fraud", version: Fixtures.v100), .success(schema)))
        for value in ["0.5", "-1.2", "3.3"] {
            type(&state, value)
            press(&state, .tab)
        }
        press(&state, .enter)
        _ = reduce(&state, .spotChecked(ModelRef(name: "fraud", version: Fixtures.v100),
                                        .success([.init(name: "label", values: ["0"]), .init(name: "probabilities", values: ["0.91", "0.09"])])))
        _ = reduce(&state, .spotChecked(ModelRef(name: "fraud", version: Fixtures.v110),
                                        .success([.init(name: "label", values: ["1"]), .init(name: "probabilities", values: ["0.38", "0.62"])])))
        _ = reduce(&state, .spotServed(ModelRef(name: "fraud", version: Fixtures.v100),
                                       .success([.init(name: "label", values: ["0"]), .init(name: "probabilities", values: ["0.91", "0.09"])])))
        _ = reduce(&state, .spotServed(ModelRef(name: "fraud", version: Fixtures.v110),
                                       .success([.init(name: "label", values: ["0"]), .init(name: "probabilities", values: ["0.55", "0.45"])])))
    }

    static func render(_ view: View, width: Int, height: Int) -> CellBuffer {
        var state = Fixtures.loadedState(width: width, height: height)
        view.open(&state)
        return Screen.render(state)
    }

    @Test(arguments: View.allCases, sizes)
    func everyViewInTheDefaultThemeAndInMono(view: View, size: (Int, Int)) throws {
        let (width, height) = size
        let buffer = Self.render(view, width: width, height: height)
        if !view.hasDefaultGolden(width: width) {
            Golden.check(buffer, named: "\(view.goldenName)-\(width)x\(height)")
        }
        let mono = try Theme.load(from: Golden.themes.appendingPathComponent("mono.toml"))
        Golden.checkStyles(buffer, theme: mono, named: "\(view.goldenName)-mono-\(width)x\(height)")
    }

    @Test func theSpotCheckMarksTheDifferingOutputs() {
        let text = Self.render(.spotCheck, width: 160, height: 48).text()
        #expect(text.contains("≠ label"), "spot check screen:\n\(text)")
    }
}
