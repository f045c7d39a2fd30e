import Foundation
import NightjarCore
import Testing
@testable import Console

/// Every view at the smallest supported size and a large one, compared with golden files.
@Suite struct GoldenScreenTests {
    static let sizes = [(80, 24), (160, 48)]

    static func screen(_ name: String, width: Int, height: Int, _ setup: (inout AppState) -> Void = { _ in }) -> CellBuffer {
        var state = Fixtures.loadedState(width: width, height: height)
        setup(&state)
        return Screen.render(state)
    }

    @Test(arguments: sizes)
    func overview(width: Int, height: Int) {
        let buffer = Self.screen("overview", width: width, height: height)
        Golden.check(buffer, named: "overview-\(width)x\(height)")
        // What is on fire is the first row: fraud, critical, with its canary failing.
        let rows = buffer.text().split(separator: "\n")
        let firstEndpointRow = rows.firstIndex { $0.contains("ENDPOINT") }.map { rows[$0 + 1] } ?? ""
        #expect(firstEndpointRow.contains("✖ fraud"))
    }

    @Test(arguments: sizes)
    func endpointDetail(width: Int, height: Int) {
        let buffer = Self.screen("endpoint", width: width, height: height) { state in
            press(&state, .enter)
        }
        Golden.check(buffer, named: "endpoint-fraud-\(width)x\(height)")
        let text = buffer.text()
        #expect(text.contains("error rate"))
        #expect(text.contains("FAILING"))
        #expect(text.contains("next step in 42 s"))
    }

    @Test(arguments: sizes)
    func events(width: Int, height: Int) {
        let buffer = Self.screen("events", width: width, height: height) { state in
            press(&state, .character(":"))
            type(&state, "events")
            press(&state, .enter)
        }
        Golden.check(buffer, named: "events-\(width)x\(height)")
    }

    /// The drift view of fraud (canary selected) as a table and with its worst column enlarged, in
    /// the default theme (characters and roles) and in mono (attributes only).
    @Test(arguments: sizes)
    func drift(width: Int, height: Int) throws {
        let mono = try Theme.load(from: Golden.themes.appendingPathComponent("mono.toml"))
        let list = Self.screen("drift", width: width, height: height) { state in
            press(&state, .enter, .right, .character("d"))
        }
        Golden.check(list, named: "drift-fraud-\(width)x\(height)")
        Golden.checkStyles(list, theme: mono, named: "drift-fraud-mono-\(width)x\(height)")
        let text = list.text()
        #expect(text.contains("✖ drift"))
        #expect(text.contains("1.0.0 stable 80%") && text.contains("1.1.0 canary 20%"))

        let enlarged = Self.screen("drift-enlarged", width: width, height: height) { state in
            press(&state, .enter, .right, .character("d"), .enter)
        }
        Golden.check(enlarged, named: "drift-fraud-enlarged-\(width)x\(height)")
        Golden.checkStyles(enlarged, theme: mono, named: "drift-fraud-enlarged-mono-\(width)x\(height)")
        #expect(enlarged.text().contains("features[0] · feature · numeric · 1.1.0 canary"))
        #expect(enlarged.text().contains("≥ 2"))
    }

    @Test func rollbackConfirmationWithAlert() {
        let buffer = Self.screen("rollback", width: 80, height: 24) { state in
            _ = reduce(&state, .eventsLoaded(.success([
                Fixtures.event(9, .workerLost, secondsAgo: 2, actor: "server", "worker w2 (fraud@1.1.0) missed 3 heartbeats"),
            ])))
            press(&state, .character("R"))
        }
        Golden.check(buffer, named: "rollback-confirm-80x24")
        #expect(buffer.text().contains("fraud: 1.1.0 20% → 0%, 1.0.0 80% → 100%"))
        #expect(buffer.text().contains("ALERT"))
    }

    @Test func trafficDialog() {
        let buffer = Self.screen("traffic", width: 80, height: 24) { state in
            press(&state, .enter, .right, .character("+"))
        }
        Golden.check(buffer, named: "traffic-shift-80x24")
        #expect(buffer.text().contains("1.1.0 20% → 25%, 1.0.0 80% → 75%") || buffer.text().contains("1.0.0 80% → 75%, 1.1.0 20% → 25%"))
    }

    @Test func help() {
        let buffer = Self.screen("help", width: 80, height: 24) { state in press(&state, .character("?")) }
        Golden.check(buffer, named: "help-overview-80x24")
    }

    @Test func workersAndModels() {
        Golden.check(Self.screen("workers", width: 80, height: 24) { state in
            press(&state, .character(":")); type(&state, "workers"); press(&state, .enter)
        }, named: "workers-80x24")
        Golden.check(Self.screen("models", width: 80, height: 24) { state in
            press(&state, .character(":")); type(&state, "models"); press(&state, .enter)
        }, named: "models-80x24")
    }

    @Test func asciiFallbackUsesOnlyASCII() {
        var state = Fixtures.loadedState(width: 80, height: 24, options: AppState.Options(ascii: true))
        press(&state, .enter)
        let buffer = Screen.render(state)
        Golden.check(buffer, named: "endpoint-fraud-ascii-80x24")
        #expect(buffer.cells.allSatisfy { $0.character.isASCII })
    }

    @Test func staleEndpointsSayHowOld() {
        var state = Fixtures.loadedState(width: 80, height: 24)
        state.now = Fixtures.now.addingTimeInterval(5)
        _ = reduce(&state, .endpointsLoaded(.failure(FetchFailure("GET /api/v1/endpoints: connection refused"))))
        _ = reduce(&state, .workersLoaded(.success(Fixtures.workers)))
        let text = Screen.render(state).text()
        #expect(text.contains("stale since \(Format.clock(Fixtures.now))"))
        // Workers refreshed fine and are not marked.
        #expect(text.split(separator: "\n").filter { $0.contains("stale since") }.count == 1)
        #expect(text.contains("fraud@1.0.0"))
    }
}

/// The shadow comparison and routing settings in the endpoint view, and the overview's recent events.
@Suite struct ShadowAndRecentEventsGoldenTests {
    static let sizes = GoldenScreenTests.sizes

    /// fraud in a blue-green rollout's shadow phase, opened from the prompt.
    static func shadowScreen(width: Int, height: Int, agreement: Double = 0.987) -> CellBuffer {
        GoldenScreenTests.screen("shadow", width: width, height: height) { state in
            _ = reduce(&state, .endpointsLoaded(.success([Fixtures.churn, Fixtures.shadowedFraud(agreement: agreement), Fixtures.search])))
            press(&state, .character(":"))
            type(&state, "endpoint fraud")
            press(&state, .enter)
        }
    }

    @Test(arguments: sizes)
    func endpointWithShadowAndRouting(width: Int, height: Int) throws {
        let mono = try Theme.load(from: Golden.themes.appendingPathComponent("mono.toml"))
        let buffer = Self.shadowScreen(width: width, height: height)
        Golden.check(buffer, named: "endpoint-shadow-\(width)x\(height)")
        Golden.checkStyles(buffer, theme: mono, named: "endpoint-shadow-mono-\(width)x\(height)")
        let text = buffer.text()
        #expect(text.contains("◐ Shadow 1.1.0 mirrors 10% · ● agree 98.7%"))
        #expect(text.contains("Routing sticky header:x-user-id · x-tenant=acme → 1.1.0"))
        #expect(text.contains("blue-green step 1/2 (shadow) of shadow → 100"))
        #expect(text.contains("shadow agreement") && text.contains("98.7%"))
        if width >= 160 {
            #expect(text.contains("|Δscore| 0.012 · p99 3.10 ms vs 2.40 ms · 1,234 compared · 3 failed"))
        }
    }

    @Test func poorAgreementIsCriticalBySymbolAndRole() {
        let buffer = Self.shadowScreen(width: 160, height: 48, agreement: 0.9)
        let lines = buffer.text().split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        let y = lines.firstIndex { String($0).contains("◐ Shadow") }
        let x = y.flatMap { row in (0..<lines[row].count).first { String(lines[row][$0...]).hasPrefix("✖ agree 90.0%") } }
        #expect(x != nil, "\(buffer.text())")
        if let x, let y { #expect(buffer[x, y].role == .critical && buffer[x + 2, y].role == .critical) }
    }

    /// Copies sent, none compared yet: no agreement was measured, so none is shown as 0.0%.
    @Test func noComparisonYetShowsADashNotZeroAgreement() {
        var endpoint = Fixtures.shadowedFraud()
        endpoint.shadow?.compared = 0
        endpoint.shadow?.agreementRate = 0
        endpoint.shadow?.meanAbsoluteDifference = 0
        var state = Fixtures.loadedState(width: 160, height: 48)
        _ = reduce(&state, .endpointsLoaded(.success([Fixtures.churn, endpoint, Fixtures.search])))
        open(&state, .endpoint("fraud"))
        let text = Screen.render(state).text()
        let line = text.split(separator: "\n").first { $0.contains("◐ Shadow") }.map(String.init) ?? ""
        #expect(line.contains("○ agree — (no comparison yet) · |Δscore| — · "), "\(line)")
        #expect(line.contains("0 compared") && !line.contains("0.0%") && !line.contains("|Δscore| 0"), "\(line)")
    }

    @Test func nothingWithoutShadowOrRouting() {
        var state = Fixtures.loadedState(width: 160, height: 48)
        press(&state, .enter)
        let text = Screen.render(state).text()
        #expect(!text.contains("Shadow") && !text.contains("Routing"))
    }

    /// The overview's ROLLOUT cell while a rollout shadows its candidate, or a shadow was set by hand.
    @Test func overviewShowsTheShadow() {
        #expect(EndpointsPanel.rolloutCell(Fixtures.shadowedFraud()).text == "◐ shadow 1.1.0")
        var manual = Fixtures.shadowedFraud()
        manual.rollout = nil
        #expect(EndpointsPanel.rolloutCell(manual).text == "◐ shadow 1.1.0")
        #expect(EndpointsPanel.rolloutCell(Fixtures.churn).text == "—")
        #expect(EndpointsPanel.rolloutCell(Fixtures.fraud()).text == "▶ 2/4 20% 1.1.0")
    }

    /// A shadow-only rollout never moves on its own: the panel says who moves it, not a countdown.
    @Test func shadowOnlyRolloutWaitsForTheOperator() {
        var endpoint = Fixtures.shadowedFraud()
        endpoint.rollout?.plan = RolloutPlan(strategy: .shadowOnly, steps: [0], intervalSeconds: 60, mirrorPercent: 10)
        var state = Fixtures.loadedState(width: 160, height: 48)
        _ = reduce(&state, .endpointsLoaded(.success([Fixtures.churn, endpoint, Fixtures.search])))
        press(&state, .character(":"))
        type(&state, "endpoint fraud")
        press(&state, .enter)
        let text = Screen.render(state).text()
        #expect(text.contains("shadow-only step 1/1 (shadow) of shadow · 1.1.0 shadowed, 10% mirrored · held until P promotes or X aborts"))
        #expect(!text.contains("next step in"))
        endpoint.rollout?.state = .paused
        #expect(EndpointsPanel.rolloutCell(endpoint).text == "‖ paused 1/1 shadow")
    }

    @Test(arguments: sizes)
    func overviewWithRecentEvents(width: Int, height: Int) throws {
        let mono = try Theme.load(from: Golden.themes.appendingPathComponent("mono.toml"))
        let buffer = GoldenScreenTests.screen("overview", width: width, height: height)
        Golden.checkStyles(buffer, theme: mono, named: "overview-mono-\(width)x\(height)")
        let lines = buffer.text().split(separator: "\n").map(String.init)
        let workers = lines.firstIndex { $0.contains("Workers (2)") }
        let events = lines.firstIndex { $0.contains("Recent events (4)") }
        #expect(workers != nil && events != nil)
        if let workers, let events {
            // Workers sized to their two rows, then the newest event first.
            #expect(events == workers + 5)
            #expect(lines[events + 2].contains("trafficChanged") && lines[events + 2].contains("churn: 2.0.0 100%"))
            #expect(lines[events + 5].contains("versionPushed"))
        }
    }

    /// Too short for the events to be worth a panel: the workers keep the rows, as before.
    @Test func noRecentEventsWhenTooShort() {
        let text = Screen.render(Fixtures.loadedState(width: 80, height: 20)).text()
        #expect(text.contains("Workers (2)") && !text.contains("Recent events"))
    }
}
