import Foundation
import NightjarCore
import Testing
@testable import Console

/// The timeline and the alerts it raises: banner, bell once, acknowledge; copying lines.
@Suite struct AlertAndEventTests {
    static func quietState() -> AppState {
        var state = AppState(serverAddress: "x", now: Fixtures.now)
        _ = reduce(&state, .endpointsLoaded(.success([Fixtures.churn])))
        return state
    }

    @Test func eventsAreKeptAfterTheLastIDAndShownNewestFirst() {
        var state = Self.quietState()
        _ = reduce(&state, .eventsLoaded(.success(Fixtures.events)))
        #expect(state.lastEventID == 4)
        #expect(reduce(&state, .tick(Fixtures.now)).contains(.fetchEvents(after: 4)))
        // A repeat of what was already seen is ignored.
        _ = reduce(&state, .eventsLoaded(.success([Fixtures.events[3], Fixtures.event(5, .workerJoined, secondsAgo: 1, "w3 joined")])))
        #expect(state.events.map(\.id) == [1, 2, 3, 4, 5])
        #expect(state.shownEvents.map(\.id) == [5, 4, 3, 2, 1])
    }

    @Test func alertingEventRaisesBannerAndRingsOnce() {
        var state = Self.quietState()
        let effects = reduce(&state, .eventsLoaded(.success([
            Fixtures.event(7, .rollback, secondsAgo: 3, actor: "bob", "fraud: 1.1.0 20% → 0%, 1.0.0 80% → 100% (error rate 31%)"),
            Fixtures.event(8, .workerLost, secondsAgo: 2, endpoint: nil, actor: "server", "worker w2 (fraud@1.1.0) missed 3 heartbeats"),
        ])))
        #expect(effects == [.ringBell])
        #expect(state.alerts.count == 2)
        let text = Screen.render(state).text()
        let banner = text.split(separator: "\n")[1]
        #expect(banner.contains("ALERT"))
        #expect(banner.contains("worker lost: worker w2"))
        #expect(banner.contains("+1 more"))
        // Nothing new: no second bell.
        #expect(reduce(&state, .eventsLoaded(.success([]))).isEmpty)
        press(&state, .character("a"))
        #expect(state.alerts.isEmpty)
        #expect(state.status?.text == "acknowledged 2 alerts")
        #expect(!Screen.render(state).text().contains("ALERT"))
    }

    @Test func oldEventsAndQuietKindsRaiseNothing() {
        var state = Self.quietState()
        let effects = reduce(&state, .eventsLoaded(.success([
            Fixtures.event(1, .rollback, secondsAgo: 3600, "an old rollback"),
            Fixtures.event(2, .trafficChanged, secondsAgo: 1, "a routine change"),
            Fixtures.event(3, .rolloutRolledBack, secondsAgo: 1, actor: "rollout", "fraud: rolled back (error rate 31% > 5%)"),
        ])))
        #expect(state.alerts.map(\.key) == ["event:3"])
        #expect(effects == [.ringBell])
    }

    @Test func aPageOfOldEventsAsksForTheNextAtOnceUntilThePresent() {
        var state = Self.quietState()
        let history = (1...3).map { Fixtures.event(Int64($0), .trafficChanged, secondsAgo: 7200 - Double($0), "old change \($0)") }
        #expect(reduce(&state, .eventsLoaded(.success(history))) == [.fetchEvents(after: 3)])
        #expect(state.awaiting.contains(.events))
        // A tick meanwhile does not send a second read of events.
        #expect(!reduce(&state, .tick(Fixtures.now)).contains(.fetchEvents(after: 3)))
        // Caught up: the newest event is recent, so the next read waits for the tick.
        #expect(reduce(&state, .eventsLoaded(.success([Fixtures.event(4, .trafficChanged, secondsAgo: 2, "now")]))).isEmpty)
        #expect(!state.awaiting.contains(.events))
        #expect(reduce(&state, .eventsLoaded(.success([]))).isEmpty)
    }

    /// The timeline starts at the newest events of the log, then follows what comes after them.
    @Test func eventsStartFromTheNewestThenFollow() {
        var state = AppState(serverAddress: "x", now: Fixtures.now)
        #expect(reduce(&state, .tick(Fixtures.now)).contains(.fetchNewestEvents(limit: AppState.eventsAtStart)))
        // A failed first read asks for the newest again, not for the whole log.
        _ = reduce(&state, .eventsLoaded(.failure(FetchFailure("connection refused"))))
        #expect(reduce(&state, .tick(Fixtures.now.addingTimeInterval(1))).contains(.fetchNewestEvents(limit: AppState.eventsAtStart)))
        let newest = (998...1000).map { Fixtures.event(Int64($0), .trafficChanged, secondsAgo: 1000 - Double($0) + 1, "change \($0)") }
        #expect(reduce(&state, .eventsLoaded(.success(newest))).isEmpty)
        #expect(state.shownEvents.map(\.id) == [1000, 999, 998])
        let next = reduce(&state, .tick(Fixtures.now.addingTimeInterval(2)))
        #expect(next.contains(.fetchEvents(after: 1000)) && !next.contains(.fetchNewestEvents(limit: AppState.eventsAtStart)))
    }

    /// An empty log read once is followed from its beginning, so its first event is not missed.
    @Test func anEmptyLogIsFollowedFromTheStart() {
        var state = AppState(serverAddress: "x", now: Fixtures.now)
        _ = reduce(&state, .tick(Fixtures.now))
        _ = reduce(&state, .eventsLoaded(.success([])))
        #expect(reduce(&state, .tick(Fixtures.now.addingTimeInterval(1))).contains(.fetchEvents(after: 0)))
    }

    @Test func bellCanBeTurnedOff() {
        var state = AppState(serverAddress: "x", options: AppState.Options(bell: false), now: Fixtures.now)
        let effects = reduce(&state, .eventsLoaded(.success([Fixtures.event(3, .workerLost, secondsAgo: 1, "gone")])))
        #expect(effects.isEmpty)
        #expect(state.alerts.count == 1)
    }

    @Test func failingRuleAlertsOnceUntilItRecovers() {
        var state = Self.quietState()
        #expect(reduce(&state, .endpointsLoaded(.success([Fixtures.fraud()]))) == [.ringBell])
        #expect(state.alerts.map(\.key) == ["rule:fraud/error rate", "rule:fraud/error rate vs stable"])
        #expect(reduce(&state, .endpointsLoaded(.success([Fixtures.fraud()]))).isEmpty)
        press(&state, .character("a"))
        #expect(reduce(&state, .endpointsLoaded(.success([Fixtures.fraud()]))).isEmpty)
        #expect(state.alerts.isEmpty)
        _ = reduce(&state, .endpointsLoaded(.success([Fixtures.fraud(rollout: Fixtures.rollout(failing: false))])))
        #expect(reduce(&state, .endpointsLoaded(.success([Fixtures.fraud()]))) == [.ringBell])
        #expect(state.alerts.count == 2)
    }

    @Test func yCopiesTheSelectedEventAndYAllShown() {
        var state = Fixtures.loadedState()
        press(&state, .character(":"))
        type(&state, "events")
        press(&state, .enter, .down)
        let one = press(&state, .character("y"))
        #expect(one == [.copyToClipboard("2026-11-18 11:06:22Z rolloutStep fraud by rollout: fraud: 1.1.0 5% → 20%, 1.0.0 95% → 80%\n")])
        let all = press(&state, .character("Y"))
        guard case .copyToClipboard(let text)? = all.first else { Issue.record("Y copied nothing"); return }
        #expect(text.split(separator: "\n").count == 4)
        _ = reduce(&state, .copied(.success("copied 4 lines to the terminal clipboard and to /tmp/x/clipboard.txt")))
        #expect(Screen.render(state).text().contains("/tmp/x/clipboard.txt"))
        _ = reduce(&state, .copied(.failure(FetchFailure("cannot write /nope: permission denied"))))
        #expect(state.status == AppState.Status(text: "✖ copy failed: cannot write /nope: permission denied", isError: true))
    }

    @Test func endpointViewShowsOnlyItsEvents() {
        var state = Fixtures.loadedState()
        press(&state, .enter)
        #expect(state.shownEvents.map(\.id) == [3, 2])
        press(&state, .tab, .character("y"))
    }

    @Test func eventsFailureKeepsTheTimelineAndMarksItStale() {
        var state = Fixtures.loadedState()
        press(&state, .character(":"))
        type(&state, "events")
        press(&state, .enter)
        _ = reduce(&state, .eventsLoaded(.failure(FetchFailure("timeout"))))
        let text = Screen.render(state).text()
        #expect(text.contains("Events (4) · stale since"))
        #expect(text.contains("rolloutStep"))
    }

    @Test func eventLineTimestampsAreUTC() {
        #expect(EventLine.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00Z")
        #expect(EventLine.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29 00:00:00Z")
        #expect(EventLine.timestamp(Fixtures.now) == "2026-11-18 11:06:40Z")
    }

    @Test func osc52EncodesBase64() {
        #expect(OSC52.sequence(for: "hi\n") == "\u{1B}]52;c;aGkK\u{07}")
        #expect(OSC52.base64(Array("fraud".utf8)) == "ZnJhdWQ=")
        #expect(OSC52.base64(Array("ab".utf8)) == "YWI=")
    }
}
