import Foundation
import NightjarCore
import Testing
@testable import Console

/// Moving around: views, back, panes, selection, the `:` prompt, `/` filter, help, quitting.
@Suite struct NavigationTests {
    @Test func overviewSortsWorstFirstAndEnterOpensTheSelectedEndpoint() {
        var state = Fixtures.loadedState()
        #expect(state.shownEndpoints.map(\.endpoint) == ["fraud", "churn", "search"])
        press(&state, .down)
        #expect(state.focusedEndpoint?.endpoint == "churn")
        press(&state, .enter)
        #expect(state.view == .endpoint("churn"))
        press(&state, .escape)
        #expect(state.view == .overview)
        press(&state, .character("j"), .character("l"))
        #expect(state.view == .endpoint("search"))
        press(&state, .character("q"))
        #expect(state.view == .overview)
        #expect(!state.shouldQuit)
    }

    @Test func selectionFollowsTheEndpointWhenTheOrderChanges() {
        var state = Fixtures.loadedState()
        press(&state, .character("j"))  // churn
        var endpoints = Fixtures.endpoints
        // churn catches fire and moves to the top; the selection moves with it.
        endpoints[0].versions[0].stats = Fixtures.stats("churn", SemVer(2, 0, 0), rps: 50, errorRate: 0.4)
        _ = reduce(&state, .endpointsLoaded(.success(endpoints)))
        #expect(state.focusedEndpoint?.endpoint == "churn")
    }

    @Test func arrowsHomeEndAndPagingStayInsideTheList() {
        var state = Fixtures.loadedState()
        press(&state, .character("G"))
        #expect(state.selectedEndpoint == 2)
        press(&state, .down, .pageDown)
        #expect(state.selectedEndpoint == 2)
        press(&state, .character("g"))
        #expect(state.selectedEndpoint == 0)
        press(&state, .up, .pageUp, .character("k"))
        #expect(state.selectedEndpoint == 0)
        press(&state, .end)
        #expect(state.selectedEndpoint == 2)
        press(&state, .home)
        #expect(state.selectedEndpoint == 0)
    }

    @Test func tabSwitchesPanesOnTheOverview() {
        var state = Fixtures.loadedState()
        press(&state, .tab)
        #expect(state.pane == .secondary)
        press(&state, .down)
        #expect(state.selectedWorker == 1)
        #expect(state.selectedEndpoint == 0)
        press(&state, .tab)
        #expect(state.pane == .primary)
    }

    @Test func qQuitsOnlyFromTheTop() {
        var state = Fixtures.loadedState()
        press(&state, .character(":"))
        type(&state, "events")
        press(&state, .enter)
        #expect(state.view == .events)
        press(&state, .character("q"))
        #expect(state.view == .overview && !state.shouldQuit)
        press(&state, .character("q"))
        #expect(state.shouldQuit)
    }

    @Test func quitActionFromASignalQuitsAnywhere() {
        var state = Fixtures.loadedState()
        press(&state, .enter)
        _ = reduce(&state, .quit)
        #expect(state.shouldQuit)
    }

    @Test func commandPromptOpensEveryView() {
        for (command, view) in [("workers", ConsoleView.workers), ("models", .models), ("events", .events),
                                ("endpoint fraud", .endpoint("fraud")), ("overview", .overview), ("endpoints", .overview)] {
            var state = Fixtures.loadedState()
            press(&state, .character(":"), .character("e"), .character("v"))  // typed, then replaced below
            press(&state, .backspace, .backspace)
            type(&state, command)
            press(&state, .enter)
            #expect(state.view == view, "':\(command)'")
            #expect(state.prompt == nil)
        }
    }

    @Test func commandPromptCompletesWithTab() {
        var state = Fixtures.loadedState()
        press(&state, .character(":"))
        type(&state, "wo")
        press(&state, .tab)
        #expect(state.prompt?.text == "workers")
        press(&state, .escape)
        press(&state, .character(":"))
        type(&state, "endpoint f")
        press(&state, .tab)
        #expect(state.prompt?.text == "endpoint fraud")
        press(&state, .enter)
        #expect(state.view == .endpoint("fraud"))
        // "e" is shared by events and endpoint…: Tab completes only what they share.
        #expect(PromptCommand.complete("endpoint ", endpoints: ["fraud", "churn"]) == "endpoint ")
        #expect(PromptCommand.complete("ev", endpoints: []) == "events")
    }

    @Test func unknownCommandsAndEndpointsSayWhatIsKnown() {
        var state = Fixtures.loadedState()
        press(&state, .character(":"))
        type(&state, "pods")
        press(&state, .enter)
        #expect(state.status?.isError == true)
        #expect(state.status?.text.contains("unknown command ':pods'") == true)
        press(&state, .character(":"))
        type(&state, "endpoint nope")
        press(&state, .enter)
        #expect(state.status?.text == "no endpoint 'nope' (endpoints: churn, fraud, search)")
        #expect(state.view == .overview)
    }

    @Test func promptSwallowsKeysThatWouldOtherwiseAct() {
        var state = Fixtures.loadedState()
        press(&state, .character(":"))
        type(&state, "qR?")
        #expect(!state.shouldQuit && state.dialog == nil && !state.showHelp)
        press(&state, .backspace, .backspace, .backspace, .backspace)
        #expect(state.prompt == nil)
    }

    @Test func filterNarrowsAsTypedEnterKeepsEscClears() {
        var state = Fixtures.loadedState()
        press(&state, .character("/"))
        type(&state, "chu")
        #expect(state.shownEndpoints.map(\.endpoint) == ["churn"])
        press(&state, .enter)
        #expect(state.prompt == nil && state.filter == "chu")
        #expect(Screen.render(state).text().contains("Endpoints (1 of 3) /chu"))
        press(&state, .escape)
        #expect(state.filter.isEmpty && state.shownEndpoints.count == 3)
        press(&state, .character("/"))
        type(&state, "x")
        #expect(Screen.render(state).text().contains("no endpoint matches /x"))
        press(&state, .escape)
        #expect(state.filter.isEmpty && state.prompt == nil)
    }

    @Test func filterAppliesToEveryList() {
        var state = Fixtures.loadedState()
        state.filter = "1.1.0"
        #expect(state.shownWorkers.map(\.info.id) == ["w2"])
        #expect(state.shownEndpoints.map(\.endpoint) == ["fraud"])
        state.filter = "rollout"
        #expect(state.shownEvents.map(\.id) == [3, 2])
        state.filter = "FRAUD"
        #expect(state.shownModels.count == 1)
    }

    @Test func helpListsTheKeysOfTheCurrentViewAndSwallowsKeys() {
        var state = Fixtures.loadedState()
        press(&state, .character("?"))
        #expect(state.showHelp)
        press(&state, .character("R"), .down)
        #expect(state.dialog == nil && state.selectedEndpoint == 0)
        let text = Screen.render(state).text()
        #expect(text.contains("Keys · Overview"))
        #expect(text.contains("rollback"))
        press(&state, .escape)
        #expect(!state.showHelp)
        press(&state, .enter, .character("?"))
        #expect(Screen.render(state).text().contains("shift 5% of traffic"))
        press(&state, .character("?"))
        #expect(!state.showHelp)
    }

    @Test func everyViewListsItsKeysInHelp() {
        for view in [ConsoleView.overview, .endpoint("fraud"), .workers, .models, .events] {
            let entries = Keymap.entries(for: view, readOnly: false)
            #expect(entries.contains { $0.keys == "?" })
            #expect(entries.contains { $0.keys == "Esc" })
            #expect(entries.contains { $0.keys == ":" })
            #expect(entries.contains { $0.keys == "q" })
        }
        #expect(Keymap.entries(for: .overview, readOnly: true).allSatisfy { !$0.mutates })
        #expect(!Keymap.entries(for: .endpoint("fraud"), readOnly: true).contains { $0.keys == "R" })
    }

    @Test func endpointViewSelectsVersionsSideBySide() {
        var state = Fixtures.loadedState()
        press(&state, .enter)
        #expect(state.focusedVersion?.version == Fixtures.v100)
        press(&state, .right)
        #expect(state.focusedVersion?.version == Fixtures.v110)
        press(&state, .character("l"))
        #expect(state.focusedVersion?.version == Fixtures.v110)
        press(&state, .character("h"))
        #expect(state.focusedVersion?.version == Fixtures.v100)
        press(&state, .tab)
        #expect(state.pane == .secondary)
        press(&state, .down)
        #expect(state.selectedEvent == 1)
    }

    @Test func refreshKeyAsksForEverythingNow() {
        var state = Fixtures.loadedState()
        let effects = press(&state, .character("r"))
        #expect(effects.contains(.fetchEndpoints))
        #expect(effects.contains(.fetchWorkers))
        #expect(effects.contains(.fetchModels))
        #expect(effects.contains(.fetchEvents(after: 4)))
        #expect(effects.contains(.fetchStats(workerID: "w1", address: "http://127.0.0.1:35193")))
        #expect(state.status?.text == "refreshing…")
        press(&state, .escape)
        #expect(state.status == nil)
    }

    @Test func tickPollsEverySecondAndTheRegistryEveryFifth() {
        var state = AppState(serverAddress: "x", now: Fixtures.now)
        let first = reduce(&state, .tick(Fixtures.now))
        #expect(first.contains(.fetchModels) && first.contains(.fetchEndpoints) && first.contains(.fetchNewestEvents(limit: 200)))
        _ = reduce(&state, .modelsLoaded(.success([])))
        _ = reduce(&state, .workersLoaded(.success([])))
        let second = reduce(&state, .tick(Fixtures.now.addingTimeInterval(1)))
        #expect(!second.contains(.fetchModels) && second.contains(.fetchWorkers))
        // Endpoints and events have not answered yet: no second request piles on.
        #expect(!second.contains(.fetchEndpoints) && !second.contains(.fetchNewestEvents(limit: 200)))
        #expect(state.now == Fixtures.now.addingTimeInterval(1))
        _ = reduce(&state, .endpointsLoaded(.failure(FetchFailure("timeout"))))
        #expect(reduce(&state, .tick(Fixtures.now.addingTimeInterval(2))).contains(.fetchEndpoints))
    }

    @Test func resizeChangesTheFrameSize() {
        var state = Fixtures.loadedState()
        _ = reduce(&state, .resize(width: 120, height: 40))
        let buffer = Screen.render(state)
        #expect(buffer.width == 120 && buffer.height == 40)
    }

    @Test func newWorkersGetStatsRightAwayAndStatsFillTheSparkline() {
        var state = AppState(serverAddress: "x", now: Fixtures.now)
        let effects = reduce(&state, .workersLoaded(.success(Fixtures.workers)))
        #expect(effects == [.fetchStats(workerID: "w1", address: "http://127.0.0.1:35193"),
                            .fetchStats(workerID: "w2", address: "http://127.0.0.1:33803")])
        _ = reduce(&state, .statsLoaded(workerID: "w1", .success(Fixtures.stats("fraud", Fixtures.v100, rps: 3))))
        _ = reduce(&state, .statsLoaded(workerID: "w1", .failure(FetchFailure("timeout"))))
        #expect(state.workers[0].rateHistory == [3])
        #expect(state.workers[0].statsError == "timeout")
        #expect(Screen.render(state).text().contains("no stats"))
    }

    @Test func modelsFailureMarksOnlyTheModelsPanelAndKeepsTheList() {
        var state = Fixtures.loadedState()
        press(&state, .character(":"))
        type(&state, "models")
        press(&state, .enter)
        state.now = Fixtures.now.addingTimeInterval(3)
        _ = reduce(&state, .modelsLoaded(.failure(FetchFailure("GET /api/v1/models: timed out"))))
        let text = Screen.render(state).text()
        #expect(text.contains("Models (1) · stale since \(Format.clock(Fixtures.now))"))
        #expect(text.contains("fraud"))
        _ = reduce(&state, .modelsLoaded(.success(Fixtures.models)))
        #expect(!Screen.render(state).text().contains("stale"))
    }
}
