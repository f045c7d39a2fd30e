import Engine
import Foundation
import NightjarCore
import Testing
@testable import Console

/// The spot check: a form from the schema, typed values checked before anything runs, both
/// versions through the real engine, differences marked.
@Suite struct SpotCheckTests {
    static let demoModels = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/nightjar/DemoModels")

    static func model(_ version: String) throws -> Data {
        try Data(contentsOf: demoModels.appendingPathComponent("fraud-\(version).onnx"))
    }

    @Test func sOpensTheFormForTheRolloutsStableAndCandidate() {
        var state = Fixtures.loadedState()
        press(&state, .enter, .right)
        let effects = press(&state, .character("s"))
        #expect(state.view == .spotCheck("fraud"))
        #expect(state.spotCheck?.versions == [Fixtures.v100, Fixtures.v110])
        #expect(effects == [.loadSpotSchema(ModelRef(name: "fraud", version: Fixtures.v100))])
        #expect(Screen.render(state).text().contains("loading the schema of fraud@1.0.0"))
        press(&state, .escape)
        #expect(state.view == .endpoint("fraud") && state.spotCheck == nil)
    }

    static let v120 = SemVer(1, 2, 0)

    /// fraud with 1.1.0 kept listed at 0% between 1.0.0 and 1.2.0, loaded and opened in the endpoint view.
    static func stateWithIdleVersionListed(weights: (Int, Int, Int), rollout: RolloutStatus? = nil,
                                           shadow: DeploymentRouting.Shadow? = nil) -> AppState {
        var state = Fixtures.loadedState(width: 120, height: 30)
        var fraud = Fixtures.fraud(rollout: rollout)
        fraud.deployment.weights = [TrafficWeight(version: Fixtures.v100, weight: weights.0),
                                    TrafficWeight(version: Fixtures.v110, weight: weights.1),
                                    TrafficWeight(version: v120, weight: weights.2)]
        fraud.deployment.routing = DeploymentRouting(shadow: shadow)
        fraud.versions = [.init(version: Fixtures.v100, weight: weights.0, readyWorkers: 1, stats: nil),
                          .init(version: Fixtures.v110, weight: weights.1, readyWorkers: 1, stats: nil),
                          .init(version: v120, weight: weights.2, readyWorkers: 1, stats: nil)]
        _ = reduce(&state, .endpointsLoaded(.success([Fixtures.churn, fraud, Fixtures.search])))
        open(&state, .endpoint("fraud"))
        return state
    }

    /// 1.0.0 at 90% and 1.2.0 at 10%, with 1.1.0 listed idle between them: the spot check is of the
    /// two carrying traffic, and the screen says so (not 1.0.0 against the idle 1.1.0).
    @Test func spotCheckComparesTheTwoLargestWeightsNotTheFirstTwoListed() {
        var state = Self.stateWithIdleVersionListed(weights: (90, 0, 10))
        let effects = press(&state, .character("s"))
        #expect(state.spotCheck?.versions == [Fixtures.v100, Self.v120])
        #expect(effects == [.loadSpotSchema(ModelRef(name: "fraud", version: Fixtures.v100))])
        _ = reduce(&state, .spotSchemaLoaded(ModelRef(name: "fraud", version: Fixtures.v100),
                                             .success(FeatureSchema(inputs: [TensorSpec(name: "x", datatype: .fp32, shape: [-1, 1])], outputs: []))))
        let lines = Screen.render(state).text().split(separator: "\n")
        #expect(lines.contains { $0.contains("Spot check · fraud: 1.0.0 vs 1.2.0, the versions with the most traffic") }, "\(lines)")
        #expect(lines.contains { $0.contains("fraud@1.0.0") && $0.contains("fraud@1.2.0") }, "\(lines)")
        #expect(lines.contains { $0.contains(" 90% ") && $0.contains(" 10% ") }, "\(lines)")
        // Below the header and the alert banner (which is about 1.1.0), nothing names the idle version.
        #expect(!lines.dropFirst(2).contains { $0.contains("1.1.0") }, "\(lines)")
    }

    /// A running rollout decides: its stable and its candidate, whatever else is listed.
    @Test func aRunningRolloutsStableAndCandidateAreChecked() {
        let rollout = RolloutStatus(endpoint: "fraud", stable: Fixtures.v100, candidate: Self.v120,
                                    plan: RolloutPlan(strategy: .canary, steps: [5, 20, 50, 100], intervalSeconds: 60),
                                    state: .paused, stepIndex: 0, stepStartedAt: Fixtures.now, startedAt: Fixtures.now,
                                    updatedAt: Fixtures.now, startedBy: "alice")
        var state = Self.stateWithIdleVersionListed(weights: (95, 0, 5), rollout: rollout)
        press(&state, .character("s"))
        #expect(state.spotCheck?.versions == [Fixtures.v100, Self.v120])
        let text = Screen.render(state).text()
        #expect(text.contains("1.0.0 vs 1.2.0, the rollout's stable and candidate"), "\(text)")
    }

    /// After a rollback the rolled-back candidate carries nothing, yet it is the version being
    /// judged: it is checked against the stable one, and the title says why an idle version is there.
    @Test func afterARollbackTheRolledBackCandidateIsCheckedAndSaidToBeIdle() {
        var state = Self.stateWithIdleVersionListed(weights: (100, 0, 0), rollout: RolloutStatus(
            endpoint: "fraud", stable: Fixtures.v100, candidate: Self.v120,
            plan: RolloutPlan(strategy: .canary, steps: [5, 20, 50, 100], intervalSeconds: 60),
            state: .rolledBack, stepIndex: 1, stepStartedAt: Fixtures.now, startedAt: Fixtures.now,
            updatedAt: Fixtures.now, startedBy: "alice"))
        press(&state, .character("s"))
        #expect(state.spotCheck?.versions == [Fixtures.v100, Self.v120])
        let text = Screen.render(state).text()
        #expect(text.contains("1.0.0 vs 1.2.0, the version with all the traffic and the last rollout's candidate"), "\(text)")
    }

    /// A shadow carries copies of real traffic: it is checked before a version listed at 0%.
    @Test func aShadowCountsAsCarryingTraffic() {
        var state = Self.stateWithIdleVersionListed(weights: (100, 0, 0), shadow: .init(version: Self.v120, mirrorPercent: 10))
        press(&state, .character("s"))
        #expect(state.spotCheck?.versions == [Fixtures.v100, Self.v120])
        _ = reduce(&state, .spotSchemaLoaded(ModelRef(name: "fraud", version: Fixtures.v100),
                                             .success(FeatureSchema(inputs: [TensorSpec(name: "x", datatype: .fp32, shape: [-1, 1])], outputs: []))))
        let text = Screen.render(state).text()
        #expect(text.contains("100%") && text.contains("shadow, mirrors 10%"), "\(text)")
    }

    @Test func formComesFromTheSchemaAndBadValuesAreNamed() {
        var state = Fixtures.loadedState()
        press(&state, .enter, .character("s"))
        let schema = FeatureSchema(inputs: [TensorSpec(name: "x", datatype: .fp32, shape: [-1, 3])],
                                   outputs: [TensorSpec(name: "label", datatype: .int64, shape: [-1])])
        _ = reduce(&state, .spotSchemaLoaded(ModelRef(name: "fraud", version: Fixtures.v100), .success(schema)))
        #expect(state.spotCheck?.fields.map(\.label) == ["x[0]", "x[1]", "x[2]"])
        type(&state, "1.5")
        press(&state, .down)
        type(&state, "q")  // not quit: input
        #expect(!state.shouldQuit)
        #expect(press(&state, .enter).isEmpty)
        #expect(state.status == AppState.Status(text: "x[1] 'q' is not a valid FP32 value", isError: true))
        press(&state, .backspace)
        type(&state, "-2")
        press(&state, .tab)
        type(&state, "0")
        let effects = press(&state, .enter)
        let inputs = ["x": Tensor(shape: [1, 3], data: .float([1.5, -2, 0]))]
        #expect(Array(effects.prefix(2)) == [.runSpotCheck(ModelRef(name: "fraud", version: Fixtures.v100), inputs: inputs),
                            .runSpotCheck(ModelRef(name: "fraud", version: Fixtures.v110), inputs: inputs)])
        _ = reduce(&state, .spotChecked(ModelRef(name: "fraud", version: Fixtures.v100), .success([.init(name: "label", values: ["0"])])))
        _ = reduce(&state, .spotChecked(ModelRef(name: "fraud", version: Fixtures.v110), .success([.init(name: "label", values: ["1"])])))
        #expect(state.spotCheck?.differingOutputs == ["label"])
        let buffer = Screen.render(state)
        #expect(buffer.text().contains("≠ label"))
    }

    /// `nan`, `inf` and `1e39` parse as numbers, but no engine answer for them means anything, JSON
    /// cannot carry them to the worker, and 1e39 is infinity in FP32: each is refused by field, like
    /// any other bad value, and nothing runs.
    @Test func nonFiniteAndOutOfRangeValuesAreRefusedByField() {
        var state = Fixtures.loadedState()
        press(&state, .enter, .character("s"))
        let schema = FeatureSchema(inputs: [TensorSpec(name: "features", datatype: .fp32, shape: [-1, 2]),
                                            TensorSpec(name: "wide", datatype: .fp64, shape: [1])], outputs: [])
        _ = reduce(&state, .spotSchemaLoaded(ModelRef(name: "fraud", version: Fixtures.v100), .success(schema)))
        #expect(press(&state, .enter).isEmpty)
        #expect(state.status == AppState.Status(text: "features[0] is empty: type a value (FP32)", isError: true))
        let cases = [
            ("nan", "1", "1", "features[0] 'nan' is not a finite number"),
            ("1", "-inf", "1", "features[1] '-inf' is not a finite number"),
            ("1e39", "1", "1", "features[0] '1e39' is outside the FP32 range (±3.4e+38)"),
            ("1", "-3.5e38", "1", "features[1] '-3.5e38' is outside the FP32 range (±3.4e+38)"),
            ("1", "1", "1e309", "wide '1e309' is not a finite number"),
        ]
        for (a, b, c, message) in cases {
            for (i, text) in [a, b, c].enumerated() { state.spotCheck?.fields[i].text = text }
            #expect(press(&state, .enter).isEmpty, "\(message)")
            #expect(state.status == AppState.Status(text: message, isError: true))
        }
        for (i, text) in ["3.4e38", "-1e-3", "1e300"].enumerated() { state.spotCheck?.fields[i].text = text }
        #expect(state.spotCheck?.inputs() == .success(["features": Tensor(shape: [1, 2], data: .float([3.4e38, -1e-3])),
                                                       "wide": Tensor(shape: [1], data: .double([1e300]))]))
    }

    @Test func oversizedInputsAreRefusedWithTheReason() {
        var spot = SpotCheck(endpoint: "img", model: "img", versions: [Fixtures.v100])
        spot.load(FeatureSchema(inputs: [TensorSpec(name: "pixels", datatype: .fp32, shape: [-1, 784])], outputs: []))
        #expect(spot.fields.isEmpty)
        #expect(spot.schemaError == "input 'pixels' [N, 784] has too many values for a form (at most 64)")
    }

    @Test func bothDemoVersionsRunInTheLocalEngine() throws {
        let schema = try InferenceSession(modelData: Self.model("1.0.0")).schema
        var spot = SpotCheck(endpoint: "fraud", model: "fraud", versions: [Fixtures.v100, Fixtures.v110])
        spot.load(schema)
        #expect(!spot.fields.isEmpty)
        let row = ["-0.4025", "-0.678", "-1.02", "0.7213", "-1.0109", "0.8089"]
        for i in spot.fields.indices { spot.fields[i].text = row[i % row.count] }
        let inputs = try spot.inputs().get()
        for version in ["1.0.0", "1.1.0"] {
            let outputs = try SpotCheckEngine.run(modelData: Self.model(version), inputs: inputs).get()
            #expect(!outputs.isEmpty)
            #expect(outputs.allSatisfy { !$0.values.isEmpty })
        }
    }

    @Test func brokenArtifactIsReportedNotThrown() {
        let result = SpotCheckEngine.run(modelData: Data("not onnx".utf8), inputs: [:])
        guard case .failure(let why) = result else { Issue.record("garbage ran"); return }
        #expect(!why.message.isEmpty)
    }

    /// Each version with a ready worker is also asked for the same inputs, and its answer is set
    /// against the local engine's: the same answer says so, a different one is marked ≠ with values.
    @Test func readyWorkersAreAskedTheSameAndTheirAnswersCompared() {
        var state = Fixtures.loadedState(width: 160, height: 48)
        _ = reduce(&state, .workersLoaded(.success(Fixtures.workers)))
        press(&state, .enter, .right, .character("s"))
        let schema = FeatureSchema(inputs: [TensorSpec(name: "x", datatype: .fp32, shape: [-1, 1])],
                                   outputs: [TensorSpec(name: "label", datatype: .int64, shape: [-1])])
        _ = reduce(&state, .spotSchemaLoaded(ModelRef(name: "fraud", version: Fixtures.v100), .success(schema)))
        type(&state, "0.5")
        let effects = press(&state, .enter)
        let inputs = ["x": Tensor(shape: [1, 1], data: .float([0.5]))]
        let stable = ModelRef(name: "fraud", version: Fixtures.v100), canary = ModelRef(name: "fraud", version: Fixtures.v110)
        #expect(effects.contains(.askWorker(stable, address: "http://127.0.0.1:35193", inputs: inputs)))
        #expect(effects.contains(.askWorker(canary, address: "http://127.0.0.1:33803", inputs: inputs)))
        #expect(Screen.render(state).text().contains("running"))

        for ref in [stable, canary] {
            _ = reduce(&state, .spotChecked(ref, .success([.init(name: "label", values: ["0"])])))
        }
        #expect(Screen.render(state).text().contains("served: asking"))
        _ = reduce(&state, .spotServed(stable, .success([.init(name: "label", values: ["0"])])))
        _ = reduce(&state, .spotServed(canary, .success([.init(name: "label", values: ["1"])])))
        #expect(state.spotCheck?.servedMatchesLocal(Fixtures.v100) == true)
        #expect(state.spotCheck?.servedMatchesLocal(Fixtures.v110) == false)
        let text = Screen.render(state).text()
        #expect(text.contains("● served: same"), "\(text)")
        #expect(text.contains("≠ served:") && text.contains("  label 1"), "\(text)")
    }

    /// No ready worker: the local answer stands alone and the screen says why nothing was served.
    @Test func withoutAWorkerTheSpotCheckSaysSo() {
        var state = Fixtures.loadedState(width: 160, height: 48)
        _ = reduce(&state, .workersLoaded(.success([])))
        press(&state, .enter, .character("s"))
        let schema = FeatureSchema(inputs: [TensorSpec(name: "x", datatype: .fp32, shape: [-1, 1])], outputs: [])
        _ = reduce(&state, .spotSchemaLoaded(ModelRef(name: "fraud", version: Fixtures.v100), .success(schema)))
        type(&state, "1")
        let effects = press(&state, .enter)
        #expect(!effects.contains { if case .askWorker = $0 { true } else { false } })
        _ = reduce(&state, .spotChecked(ModelRef(name: "fraud", version: Fixtures.v100), .success([.init(name: "label", values: ["0"])])))
        #expect(Screen.render(state).text().contains("○ served: no worker"))
    }
}
