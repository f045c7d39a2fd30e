import Engine
import Foundation
import NightjarCore
import Testing

/// An operator at 80x24 acting on the demo's canary by hand: rollback with `R`, then a spot check
/// of the two versions in the local engine.
@Suite(.serialized) struct OperatorActionTests {
    @Test(.timeLimit(.minutes(4)))
    func operatorRollsBackWithRThenSpotChecks() async throws {
        let demo = try await DemoUnderTmux.start(name: "operator", width: 80, height: 24)
        defer { demo.stop() }
        let first = try await demo.waitFor("the overview with both endpoints", timeout: 90) { screen in
            screen.contains("server http://") && screen.contains("fraud") && screen.contains("risk")
        }
        let client = try demo.client(from: first)

        try await demo.command("endpoint fraud")
        _ = try await demo.waitFor("the canary rollout in progress", timeout: 60) { screen in
            screen.contains("Rollout 1.0.0 → 1.1.0") && screen.contains("progressing")
        }

        // R names exactly what will happen before anything happens.
        await demo.tmux.sendKeys("R")
        let confirm = try await demo.waitFor("the rollback confirmation", timeout: 15) { $0.contains("Confirm rollback of fraud") }
        #expect(confirm.range(of: #"1\.1\.0 [0-9]+% → 0%, 1\.0\.0 [0-9]+% → 100%"#, options: .regularExpression) != nil,
                "the confirmation does not name the split change:\n\(confirm)")
        Captures.save("rollback-confirm", confirm)
        let before = try await client.endpoint("fraud")
        #expect(before.deployment.weight(of: SemVer(1, 1, 0)) > 0, "nothing changes until Enter")

        await demo.tmux.sendText(" (e2e: canary looks wrong)")
        await demo.tmux.sendKeys("Enter")
        let done = try await demo.waitFor("the rollback's result in the status line", timeout: 20) { $0.contains("✔ rollback of fraud") }
        Captures.save("rollback-done", done)

        let after = try await client.endpoint("fraud")
        #expect(after.deployment.weight(of: SemVer(1, 0, 0)) == 100)
        #expect(after.deployment.weight(of: SemVer(1, 1, 0)) == 0)
        #expect(after.rollout?.state.isFinished == true, "the rollout still runs: \(String(describing: after.rollout?.state))")
        let row = try await client.audit(limit: 100).first { $0.action == "rollback" && $0.subject == "fraud" }
        #expect(row?.reason?.hasSuffix("(e2e: canary looks wrong)") == true, "audit row: \(String(describing: row))")
        #expect(row?.to?.contains("1.0.0 100%") == true)

        // Spot check: typed features through the local engine, both versions side by side.
        let features: [Float] = [0.5, 1.2, -0.3, 2, 0.1, 3]
        await demo.tmux.sendKeys("s")
        _ = try await demo.waitFor("the spot check form", timeout: 15) { $0.contains("Spot check") && $0.contains("features[5]") }
        for value in features {
            await demo.tmux.sendText(String(value))
            await demo.tmux.sendKeys("Tab")
        }
        await demo.tmux.sendKeys("Enter")
        let answered = try await demo.waitFor("both versions' probabilities", timeout: 30) { screen in
            Self.probabilities(screen).count == 2
        }
        Captures.save("spot-check", answered)
        let shown = Self.probabilities(answered)
        for (index, version) in ["1.0.0", "1.1.0"].enumerated() {
            let expected = try Self.engineProbabilities(version: version, features: features)
            #expect(shown[index].count == expected.count)
            for (s, e) in zip(shown[index], expected) {
                #expect(abs(s - e) <= 1e-5 * max(1, abs(e)), "fraud@\(version): screen shows \(s), the engine says \(e)")
            }
        }

        // The stable version's worker, asked the same, answers what the local engine computed.
        let served = try await demo.waitFor("the stable worker's served answer", timeout: 20) { $0.contains("● served: same") }
        Captures.save("spot-check-served", served)

        await demo.tmux.sendKeys("Escape")
        _ = try await demo.waitFor("the endpoint view again", timeout: 10) { $0.contains("Endpoint fraud") }
        await demo.tmux.sendKeys("q")
        _ = try await demo.waitFor("the overview again", timeout: 10) { $0.contains("Overview") }
        await demo.tmux.sendKeys("q")
        let exited = try await demo.waitFor("the demo to exit", timeout: 30) { $0.contains(DemoUnderTmux.exitMarker) }
        #expect(exited.contains(DemoUnderTmux.exitMarker + "0"), "the demo exited with an error:\n\(exited)\n\(demo.stderr)")
        #expect(!ScreenText.hasFrames(exited))
    }

    /// The spot check's probability columns, one list per version, read from the lines under
    /// "probabilities": the output side of the form, split on whitespace.
    static func probabilities(_ screen: String) -> [[Double]] {
        let lines = ScreenText.lines(screen)
        guard let header = lines.firstIndex(where: { $0.contains("probabilities") }) else { return [] }
        let rows: [[Double]] = lines[(header + 1)...].prefix(2).compactMap { line in
            let cells = line.split(separator: "│", omittingEmptySubsequences: false)
            guard cells.count >= 3 else { return nil }
            let numbers = cells[2].split(separator: " ").compactMap { Double($0) }
            return numbers.count == 2 ? numbers : nil
        }
        guard rows.count == 2 else { return [] }
        return [rows.map { $0[0] }, rows.map { $0[1] }]
    }

    /// What the engine answers for the bundled demo model of `version`.
    static func engineProbabilities(version: String, features: [Float]) throws -> [Double] {
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/nightjar/DemoModels/fraud-\(version).onnx")
        let session = try InferenceSession(modelData: try Data(contentsOf: model))
        let outputs = try session.run(["features": Tensor(shape: [1, features.count], data: .float(features))])
        guard case .tensor(let probabilities)? = outputs["probabilities"], case .float(let values) = probabilities.data else {
            throw TmuxError(message: "the demo model has no float 'probabilities' output: \(outputs.keys.sorted())")
        }
        return values.map(Double.init)
    }
}
