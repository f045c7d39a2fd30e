import Foundation
import NightjarCore
import Testing
@testable import Console

/// The drift view: reaching it, moving in it, enlarging a column, and what the operator reads there.
@Suite struct DriftViewTests {
    /// The endpoint view of fraud with the canary (1.1.0) selected, then `d`.
    static func atCanaryDrift(options: AppState.Options = AppState.Options(), width: Int = 80, height: Int = 24) -> AppState {
        var state = Fixtures.loadedState(width: width, height: height, options: options)
        press(&state, .enter, .right, .character("d"))
        return state
    }

    @Test func dOpensDriftOnTheSelectedVersionAndEscGoesBackToTheSameVersion() {
        var state = Self.atCanaryDrift()
        #expect(state.view == .drift("fraud"))
        #expect(state.focusedDriftVersion?.version == Fixtures.v110)
        // The worst column is selected first.
        #expect(state.focusedDriftColumn?.name == "features[0]")
        press(&state, .escape)
        #expect(state.view == .endpoint("fraud"))
        #expect(state.focusedVersion?.version == Fixtures.v110)
        press(&state, .character("d"), .character("q"))
        #expect(state.view == .endpoint("fraud"))
        #expect(!state.shouldQuit)
    }

    @Test func overviewMarksDriftBesideHealthWithoutReorderingEndpoints() {
        var state = Fixtures.loadedState()
        let lines = Screen.render(state).text().split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("DRIFT") && $0.contains("ROLLOUT") })
        #expect(lines.contains { $0.contains("✖ fraud") && $0.contains("✖ drift") })
        #expect(lines.contains { $0.contains("● churn") && !$0.contains("drift") })
        // A drifting but otherwise healthy endpoint is not ranked above one with errors.
        var endpoints = Fixtures.endpoints
        endpoints[0].versions[0].drift = Fixtures.drift(candidate: false)
        endpoints[0].versions[0].stats = Fixtures.stats("churn", SemVer(2, 0, 0), rps: 12, errorRate: 0.02)
        endpoints[1] = Fixtures.fraud(rollout: nil)
        endpoints[1].versions = endpoints[1].versions.map { v in
            var v = v
            v.stats = Fixtures.stats("fraud", v.version, rps: 30)
            return v
        }
        _ = reduce(&state, .endpointsLoaded(.success(endpoints)))
        #expect(state.shownEndpoints.map(\.endpoint) == ["churn", "fraud", "search"])
        #expect(state.rankedEndpoints.map(\.health.drift) == [.drift, .drift, nil])
        #expect(EndpointsPanel.driftCell(.notEnoughData).text == "○ few")
    }

    /// Three versions at 140 columns cut every name to `feat` / `prob` side by side: the tables stack
    /// instead, whole names in each; where they must be cut, the index stays.
    @Test func threeVersionsAt140ColumnsKeepColumnNamesDistinguishable() {
        let v120 = SemVer(1, 2, 0)
        var fraud = Fixtures.fraud(rollout: nil, weights: (70, 20))
        var third = fraud.versions[1]
        third.version = v120
        third.weight = 10
        third.drift?.columns += ["probabilities[0]", "probabilities[1]"].map {
            Fixtures.driftColumn($0, role: .output, verdict: .ok, psi: 0.01, live: Fixtures.nearReference)
        }
        fraud.versions.append(third)
        fraud.deployment.weights.append(TrafficWeight(version: v120, weight: 10))
        for height in [48, 24] {
            var state = Fixtures.loadedState(width: 140, height: height)
            _ = reduce(&state, .endpointsLoaded(.success([Fixtures.churn, fraud, Fixtures.search])))
            press(&state, .enter, .character("d"))
            #expect(state.driftVersions.count == 3)
            let text = Screen.render(state).text()
            // Stacked, so every name is whole; at 24 rows each table shows its worst few columns.
            let names = height == 48 ? ["features[0]", "features[1]", "features[2]", "features[3]", "label"] : ["features[0]", "features[2]"]
            for name in names {
                #expect(text.components(separatedBy: " \(name) ").count - 1 == 3, "\(name) at 140x\(height)")
            }
            if height == 48 { #expect(text.contains(" probabilities[0] ") && text.contains(" probabilities[1] ")) }
            #expect(!text.contains(" feat ") && !text.contains(" prob ") && !text.contains("…["), "at 140x\(height)")
        }
        #expect(Format.columnName("features[12]", width: 8) == "fea…[12]")
        #expect(Format.columnName("probabilities[1]", width: 4) == "…[1]")
        #expect(Format.columnName("probability", width: 6) == "proba…")
        #expect(Format.columnName("label", width: 6) == "label")
        #expect(Format.columnName("features[0]", width: 1) == "f")
    }

    @Test func promptOpensDriftAndCompletesEndpointNames() {
        var state = Fixtures.loadedState()
        press(&state, .character(":"))
        type(&state, "dr")
        press(&state, .tab)
        #expect(state.prompt?.text == "drift ")
        type(&state, "f")
        press(&state, .tab)
        #expect(state.prompt?.text == "drift fraud")
        press(&state, .enter)
        #expect(state.view == .drift("fraud"))
        #expect(state.focusedDriftVersion?.version == Fixtures.v100)
        press(&state, .escape)
        #expect(state.view == .overview)
        press(&state, .character(":"))
        type(&state, "drift")
        press(&state, .enter)
        #expect(state.status?.text == "which endpoint? :drift NAME (Tab completes)")
        press(&state, .character(":"))
        type(&state, "drift nope")
        press(&state, .enter)
        #expect(state.status?.text == "no endpoint 'nope' (endpoints: churn, fraud, search)")
        #expect(state.view == .overview)
    }

    @Test func theRolledBackCandidateStaysInViewAndAVersionWithoutTrafficOtherwiseDoesNot() {
        var state = Self.atCanaryDrift()
        var endpoints = Fixtures.endpoints
        endpoints[1] = Fixtures.fraud(rollout: Fixtures.rollout(state: .rolledBack), weights: (100, 0))
        _ = reduce(&state, .endpointsLoaded(.success(endpoints)))
        #expect(state.driftVersions.map(\.version) == [Fixtures.v100, Fixtures.v110])
        #expect(state.focusedDriftVersion?.version == Fixtures.v110)
        #expect(Screen.render(state).text().contains("1.1.0 canary 0%"))
        endpoints[1] = Fixtures.fraud(rollout: nil, weights: (100, 0))
        _ = reduce(&state, .endpointsLoaded(.success(endpoints)))
        #expect(state.driftVersions.map(\.version) == [Fixtures.v100])
        #expect(state.focusedDriftVersion?.version == Fixtures.v100)
    }

    @Test func columnsAreWorstFirstAndNotEnoughDataRanksAboveOk() {
        let state = Self.atCanaryDrift()
        guard let canary = state.focusedDriftVersion else {
            Issue.record("no drift version selected")
            return
        }
        #expect(state.driftColumns(of: canary).map(\.name) == ["features[0]", "features[2]", "label", "features[4]", "features[1]", "features[3]"])
    }

    @Test func arrowsMoveInsideTheTableAndStopAtItsEnds() {
        var state = Self.atCanaryDrift()
        press(&state, .down, .character("j"))
        #expect(state.focusedDriftColumn?.name == "label")
        press(&state, .character("G"), .down, .pageDown)
        #expect(state.focusedDriftColumn?.name == "features[3]")
        press(&state, .character("k"))
        #expect(state.focusedDriftColumn?.name == "features[1]")
        press(&state, .home, .up)
        #expect(state.drift.column == 0)
        press(&state, .end)
        #expect(state.drift.column == 5)
        press(&state, .character("g"))
        #expect(state.drift.column == 0)
    }

    @Test func leftAndRightShowTheSameColumnOfTheOtherVersion() {
        var state = Self.atCanaryDrift()
        press(&state, .down)  // features[2], warn in both versions
        press(&state, .left)
        #expect(state.focusedDriftVersion?.version == Fixtures.v100)
        #expect(state.focusedDriftColumn?.name == "features[2]")
        press(&state, .character("h"))
        #expect(state.focusedDriftVersion?.version == Fixtures.v100)
        press(&state, .character("l"))
        #expect(state.focusedDriftVersion?.version == Fixtures.v110)
        press(&state, .tab)
        #expect(state.focusedDriftVersion?.version == Fixtures.v100)
        // A column the other version does not watch: the selection stays where it is, in range.
        press(&state, .tab, .character("G"))
        #expect(state.focusedDriftColumn?.name == "features[3]")
        press(&state, .character("k"), .character("k"))  // features[4], only in the canary's table
        #expect(state.focusedDriftColumn?.name == "features[4]")
        press(&state, .left)
        #expect(state.drift.column == 3)
        #expect(state.focusedDriftColumn != nil)
    }

    @Test func enterEnlargesAndEnterEscOrQGoBackToTheTable() {
        var state = Self.atCanaryDrift()
        press(&state, .enter)
        #expect(state.drift.enlarged)
        #expect(Screen.render(state).text().contains("REFERENCE ▒"))
        // Moving while enlarged shows the next column enlarged.
        press(&state, .down)
        #expect(state.drift.enlarged && state.focusedDriftColumn?.name == "features[2]")
        press(&state, .escape)
        #expect(!state.drift.enlarged && state.view == .drift("fraud"))
        press(&state, .enter, .character("q"))
        #expect(!state.drift.enlarged && state.view == .drift("fraud"))
        press(&state, .enter, .enter)
        #expect(!state.drift.enlarged)
        #expect(!Screen.render(state).text().contains("REFERENCE ▒"))
    }

    @Test func selectionFollowsTheColumnWhenAFreshReportReordersIt() {
        var state = Self.atCanaryDrift()
        press(&state, .character("G"))
        #expect(state.focusedDriftColumn?.name == "features[3]")
        var endpoints = Fixtures.endpoints
        var report = Fixtures.drift(candidate: true)
        if let i = report.columns.firstIndex(where: { $0.name == "features[3]" }) {
            report.columns[i].verdict = .drift
            report.columns[i].statistics.psi = 3.0
        }
        endpoints[1].versions[1].drift = report
        _ = reduce(&state, .endpointsLoaded(.success(endpoints)))
        #expect(state.focusedDriftColumn?.name == "features[3]")
        #expect(state.drift.column == 0)
        // The version's report goes away: the table says so and nothing is enlarged.
        press(&state, .enter)
        endpoints[1].versions[1].drift = nil
        _ = reduce(&state, .endpointsLoaded(.success(endpoints)))
        #expect(!state.drift.enlarged)
        #expect(Screen.render(state).text().contains("no drift report for 1.1.0"))
        #expect(press(&state, .enter).isEmpty)
        #expect(state.status?.isError == true)
    }

    @Test func rollbackWorksFromTheDriftViewAndReadOnlyRefusesIt() {
        var state = Self.atCanaryDrift()
        press(&state, .character("R"))
        guard case .confirm(let confirmation)? = state.dialog else {
            Issue.record("R did not open a confirmation")
            return
        }
        #expect(confirmation.summary == "fraud: 1.1.0 20% → 0%, 1.0.0 80% → 100%")

        var readOnly = Self.atCanaryDrift(options: AppState.Options(readOnly: true))
        #expect(press(&readOnly, .character("R")).isEmpty)
        #expect(readOnly.dialog == nil)
        #expect(readOnly.status?.text.contains("read-only") == true)
        press(&readOnly, .down, .enter)
        #expect(readOnly.drift.enlarged && readOnly.focusedDriftColumn?.name == "features[2]")
        #expect(!Keymap.entries(for: .drift("fraud"), readOnly: true).contains { $0.mutates })
        #expect(!StatusBar.hints(readOnly).contains("R rollback"))
    }

    @Test func filterNarrowsTheColumnsByNameRoleOrVerdict() {
        var state = Self.atCanaryDrift()
        press(&state, .character("/"))
        type(&state, "output")
        press(&state, .enter)
        #expect(state.focusedDriftVersion.map { state.driftColumns(of: $0).map(\.name) } == ["label"])
        press(&state, .escape)
        #expect(state.filter.isEmpty && state.view == .drift("fraud"))
        press(&state, .character("/"))
        type(&state, "nothing like it")
        #expect(Screen.render(state).text().contains("no column matches /nothing like it"))
    }

    @Test func helpListsTheDriftKeys() {
        var state = Self.atCanaryDrift()
        press(&state, .character("?"))
        let text = Screen.render(state).text()
        #expect(text.contains("Keys · Drift fraud"))
        #expect(text.contains("enlarge the column"))
        #expect(text.contains("the other version's table"))
        let keys = Keymap.entries(for: .drift("fraud"), readOnly: false).map(\.keys)
        for key in ["↑ ↓  j k", "g G", "← → h l Tab", "Enter", "Esc", "?", ":", "/", "q", "R"] {
            #expect(keys.contains(key), "\(key)")
        }
        #expect(Keymap.entries(for: .endpoint("fraud"), readOnly: false).contains { $0.keys == "d" })
    }

    @Test func rowsShowVerdictWordAndSymbolNeverNotEnoughDataAsOk() {
        let text = Screen.render(Self.atCanaryDrift(width: 160, height: 48)).text()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("○ not enough data features[4]") })
        #expect(lines.contains { $0.contains("✖ drift") && $0.contains("features[0]") && $0.contains("PSI") && $0.contains("1.12") })
        // Categorical columns name their statistic: Jensen–Shannon, not PSI.
        #expect(lines.contains { $0.contains("label") && $0.contains("output") && $0.contains("JS") && $0.contains("0.13") })
    }

    @Test func asciiConsolesGetOnlyASCIIWithTheMeaningKept() {
        var state = Self.atCanaryDrift(options: AppState.Options(ascii: true))
        let table = Screen.render(state)
        #expect(table.cells.allSatisfy { $0.character.isASCII })
        #expect(table.text().contains("X drift") && table.text().contains("o not enough data features[4]"))
        press(&state, .enter)
        let enlarged = Screen.render(state)
        #expect(enlarged.cells.allSatisfy { $0.character.isASCII })
        #expect(enlarged.text().contains("> 2 ") && enlarged.text().contains("x2 2240"))
    }

    @Test func theEnlargedColumnShowsEveryBinAndMarksTheMovedOnes() {
        var state = Self.atCanaryDrift(width: 100, height: 40)
        press(&state, .enter)
        let lines = Screen.render(state).text().split(separator: "\n").map(String.init)
        for label in Fixtures.numericLabels {
            #expect(lines.contains { $0.contains("│ " + label + " ") }, "\(label)")
        }
        // ≥ 2: no reference values, a fifth of live ones, and marked as moved up.
        let top = lines.first { $0.contains("│ ≥ 2 ") } ?? ""
        #expect(top.contains("0.0%") && top.contains("20.0%") && top.contains("↑"))
        // A bin that barely moved is not marked.
        let calm = lines.first { $0.contains("│ [0, 0.4) ") } ?? ""
        #expect(calm.contains("8.0%") && !calm.contains("↑") && !calm.contains("↓"))
        #expect(lines.contains { $0.contains("PSI 1.12 ≥ 0.25") })
        #expect(lines.contains { $0.contains("live 2214 values, 0 missing · reference 200, 0 missing") })
    }
}
