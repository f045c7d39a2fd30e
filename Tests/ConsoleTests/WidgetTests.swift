import NightjarCore
import Testing
@testable import Console

/// The small painters the screens are made of.
@Suite struct WidgetTests {
    @Test func squeezedSparklineKeepsAOneSecondSpikeAndEndsAtNow() {
        var values = Array(repeating: 1.0, count: 300)
        values[17] = 50
        let line = Sparkline.squeezed(values, width: 60)
        #expect(line.count == 60)
        #expect(line.filter { $0 == "█" }.count == 1)
        #expect(Sparkline.squeezed([0, 0, 5], width: 60) == "▁▁█")
        #expect(Sparkline.samplesPerCell(count: 300, width: 60) == 5)
        #expect(Sparkline.squeezed([], width: 10).isEmpty)
        // Painting cells gives the same picture as the text.
        var buffer = CellBuffer(width: 60, height: 1)
        Sparkline.draw(values, width: 60, into: &buffer, x: 0, y: 0, role: .ok)
        #expect(buffer.text() == line)
        var short = CellBuffer(width: 10, height: 1)
        Sparkline.draw([0, 0, 5], width: 10, into: &short, x: 0, y: 0, role: .ok)
        #expect(short.text() == "▁▁█")
    }

    @Test func splitBarGivesEveryVersionWithTrafficACellAndFillsTheWidth() {
        let weights = [TrafficWeight(version: SemVer(1, 0, 0), weight: 99), TrafficWeight(version: SemVer(1, 1, 0), weight: 1)]
        let segments = SplitBar.segments(weights, stable: SemVer(1, 0, 0), width: 20)
        #expect(segments.map(\.text) == [String(repeating: "█", count: 19), "▒"])
        #expect(segments.map(\.role) == [.stable, .canary])
        let none = SplitBar.segments([TrafficWeight(version: SemVer(1, 0, 0), weight: 0)], stable: nil, width: 4)
        #expect(none.map(\.text) == ["░░░░"])
    }

    @Test func aWorkerAddressTooLongForItsColumnKeepsItsPort() {
        #expect(Format.address("http://127.0.0.1:35193", width: 24) == "127.0.0.1:35193")
        #expect(Format.address("http://127.0.0.1:35193", width: 11) == "127.…:35193")
        #expect(Format.address("http://fraud-worker-3.ml.svc:8000", width: 12) == "fraud-…:8000")
        #expect(Format.address("https://10.0.0.7:443", width: 30) == "https://10.0.0.7:443")
        #expect(Format.address("http://127.0.0.1:35193", width: 4) == "127…")
        #expect(Format.address("http://127.0.0.1:35193", width: 0) == "")
        #expect(Format.address("http://127.0.0.1:35193", width: -3) == "")
    }

    @Test func theWorkersPanelAt80ColumnsShowsWhichPortEachWorkerIsOn() {
        // The overview's workers pane, as the operator sees it first.
        let screen = Screen.render(Fixtures.loadedState(width: 80, height: 24)).text()
        #expect(screen.contains("127.…:35193") && screen.contains("127.…:33803"), "\(screen)")
    }

    @Test func wrapBreaksAtWordsAndCutsLongWords() {
        #expect(Wrap.lines("fraud: 1.1.0 20% → 0%, 1.0.0 80% → 100%", width: 16) == ["fraud: 1.1.0 20%", "→ 0%, 1.0.0 80%", "→ 100%"])
        #expect(Wrap.lines("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
    }

    @Test func cellBufferClipsEveryWrite() {
        var buffer = CellBuffer(width: 5, height: 2)
        buffer.put("hello world", x: 2, y: 1)
        buffer.put("x", x: -1, y: 0)
        buffer.put("y", x: 0, y: 5)
        buffer.box(Rect(x: 3, y: 0, width: 10, height: 10), title: "t")
        #expect(buffer.text() == "   ┌─\n  h│l")
    }

    /// A reason or event text with a newline or an escape sequence (`nightjar traffic … --reason
    /// $'line1\nline2\x1b[31mRED'`) reaches the screen as one placeholder cell per control character:
    /// nothing a terminal would act on, so lines stay whole and borders stay where they are.
    @Test func serverTextWithControlCharactersCannotReachTheTerminal() {
        let hostile = "line1\nline2\u{1B}[31mRED\tend\r\u{15}"
        var state = Fixtures.loadedState(width: 160, height: 48)
        var endpoints = Fixtures.endpoints
        endpoints[1].deployment.reason = hostile
        _ = reduce(&state, .endpointsLoaded(.success(endpoints)))
        _ = reduce(&state, .eventsLoaded(.success([Fixtures.event(5, .rollback, secondsAgo: 1, actor: "bob\u{7}", hostile)])))
        for keys: [Key] in [[], [.enter], [.character("q"), .character(":")] + "events".map(Key.character) + [.enter]] {
            for key in keys { press(&state, key) }
            let buffer = Screen.render(state)
            let unprintable = buffer.cells.filter { CellBuffer.isUnprintable($0.character) }
            #expect(unprintable.isEmpty, "\(state.view): \(unprintable.count) control characters in the frame")
            #expect(buffer.text().contains("line1�line2�[31mRED�end��"), "\(state.view)")
            // Every row of a panel still ends in its border.
            for line in buffer.text().split(separator: "\n") where line.hasPrefix("│") {
                #expect(line.unicodeScalars.count == 160 && line.hasSuffix("│"), "\(state.view): \(line)")
            }
        }
    }

    /// A version (or worker, or endpoint) that answered no request in the window has no error rate
    /// or latency: `—`, not `0.0%` and `0.00 ms`, which read as measured and healthy. Its request
    /// rate, a measured zero, still shows.
    @Test func idleVersionsShowADashNotZeroErrorsAndLatency() {
        func idle(_ name: String, _ version: SemVer) -> StatsSnapshot {
            var s = Fixtures.stats(name, version, rps: 0)
            s.latencyMs = LatencySummary(p50: 0, p90: 0, p95: 0, p99: 0, max: 0)
            return s
        }
        var state = Fixtures.loadedState(width: 160, height: 48)
        var endpoints = Fixtures.endpoints
        endpoints[0].versions[0].stats = idle("churn", SemVer(2, 0, 0))
        endpoints[1].versions[1].stats = idle("fraud", Fixtures.v110)
        _ = reduce(&state, .endpointsLoaded(.success(endpoints)))
        _ = reduce(&state, .statsLoaded(workerID: "w2", .success(idle("fraud", Fixtures.v110))))

        let overview = Screen.render(state).text().split(separator: "\n")
        let churn = String(overview.first { $0.contains("churn") && $0.contains("█") } ?? "")
        #expect(churn.contains("0.0       —        —"), "\(churn)")
        let worker = String(overview.first { $0.contains("fraud@1.1.0") } ?? "")
        #expect(worker.contains("0.0       —        —        —"), "\(worker)")

        press(&state, .enter)  // fraud
        let lines = Screen.render(state).text().split(separator: "\n")
        for (label, stable) in [("err%", "0.7%"), ("p50 ms", "0.31"), ("p95 ms", "0.56"), ("p99 ms", "0.62")] {
            let line = String(lines.first { $0.hasPrefix("│ \(label) ") } ?? "")
            let canary = line.split(separator: "│").dropFirst().first.map(String.init) ?? ""
            #expect(line.contains(stable), "\(line)")
            #expect(canary.contains("—") && !canary.contains("0.0"), "\(label): \(line)")
        }
        let rate = String(lines.first { $0.hasPrefix("│ req/s ") } ?? "")
        #expect(rate.split(separator: "│").dropFirst().first?.contains("0.0") == true, "\(rate)")
    }

    @Test func roleGridHasOneLetterPerCell() {
        var buffer = CellBuffer(width: 3, height: 1)
        buffer.put("●", x: 0, y: 0, role: .ok)
        buffer.put("✖", x: 2, y: 0, role: .critical)
        #expect(buffer.roleGrid() == "o.C")
    }

    @Test func formatsReadTheSameEverywhere() {
        #expect(Format.latency(0.623) == "0.62")
        #expect(Format.latency(42.34) == "42.3")
        #expect(Format.latency(512.6) == "513")
        #expect(Format.percent(0.068) == "6.8%")
        #expect(Format.duration(42) == "42 s")
        #expect(Format.duration(185) == "3 min 5 s")
        #expect(Format.duration(3720) == "1 h 2 min")
        #expect(Format.clock(Fixtures.now) == "11:06:40")
        for (value, decimals) in [(0.0, 1), (0.05, 1), (-0.04, 1), (-1.25, 2), (9.995, 2), (123.456, 0), (7.4, 1), (1e-9, 2), (99.96, 1)] {
            #expect(Format.fixed(value, decimals: decimals) == String(format: "%.\(decimals)f", value).replacingOccurrences(of: "-0.0", with: "0.0")
                        || abs(value) < 0.05, "\(value)")
        }
        #expect(Format.fixed(-0.04, decimals: 1) == "0.0")
        #expect(Format.fixed(.nan, decimals: 1) == "nan")
    }
}

/// The drift view's small pieces: the paired bars, the ranking, the numbers.
@Suite struct DriftWidgetTests {
    @Test func coarsenedBinsKeepTheirTotalAndFitTheWidth() {
        let shares = Array(repeating: 0.02, count: 50)
        let groups = DriftBars.coarsened(shares, groups: 9)
        #expect(groups.count == 9)
        #expect(abs(groups.reduce(0, +) - 1) < 1e-9)
        #expect(DriftBars.coarsened([0.5, 0.5], groups: 9) == [0.5, 0.5])
        #expect(DriftBars.layout(bins: 12, width: 40) == (12, 3))
        #expect(DriftBars.layout(bins: 12, width: 24) == (12, 2))
        #expect(DriftBars.layout(bins: 12, width: 20) == (10, 2))
        #expect(DriftBars.layout(bins: 12, width: 1) == (0, 0))
    }

    @Test func anEmptyBinIsBlankAndAnyShareShows() {
        #expect(DriftBars.glyph(0, top: 0.5) == " ")
        #expect(DriftBars.glyph(0.001, top: 0.5) == "▁")
        #expect(DriftBars.glyph(0.5, top: 0.5) == "█")
        var buffer = CellBuffer(width: 6, height: 1)
        let used = DriftBars.draw(DriftHistogram(labels: ["a", "b"], reference: [1, 0], live: [0, 1]), width: 6, into: &buffer, x: 0, y: 0)
        #expect(used == 5)
        #expect(buffer.text() == "█   █")
        #expect(buffer[0, 0].role == .muted && buffer[4, 0].role == .text)
    }

    @Test func mainStatisticIsPSIForNumbersAndJensenShannonForCategories() {
        let numeric = Fixtures.driftColumn("x", verdict: .ok, psi: 0.3, live: Fixtures.nearReference)
        #expect(DriftTable.mainStatistic(numeric)?.name == "PSI")
        var categorical = numeric
        categorical.kind = .categorical
        #expect(DriftTable.mainStatistic(categorical)?.name == "JS")
        categorical.statistics = DriftStatistics(chiSquared: 4)
        #expect(DriftTable.mainStatistic(categorical)?.name == "χ²")
        categorical.statistics = DriftStatistics()
        #expect(DriftTable.mainStatistic(categorical) == nil)
        #expect(DriftTable.count(2214) == "2214" && DriftTable.count(12_345) == "12.3k" && DriftTable.count(2_500_000) == "2.5M")
        #expect(DriftColumnView.pValue(3.1e-12) == "3.1e-12" && DriftColumnView.pValue(0.42) == "0.420" && DriftColumnView.pValue(0) == "0")
    }

    /// Rule values read in the unit the server sent with them, whatever the rule is called.
    @Test func ruleValuesReadInTheUnitTheServerGave() {
        #expect(RuleFormat.value(0.068, unit: .fraction) == "6.8%")
        #expect(RuleFormat.value(0.63, unit: .milliseconds) == "0.63 ms")
        #expect(RuleFormat.value(250, unit: .milliseconds) == "250 ms")
        #expect(RuleFormat.value(11.24, unit: .milliseconds) == "11.2 ms")
        #expect(RuleFormat.value(1.12, unit: .number) == "1.12")
        #expect(RuleFormat.value(nil, unit: .fraction) == "—")
    }
}

/// Gateway replicas on the header: the operator sees when a replica's clients are missing from
/// every number on screen.
@Suite struct GatewayReplicasHeaderTests {
    @Test func theHeaderCountsReplicasAndSaysWhichAreCounted() {
        var state = Fixtures.loadedState(width: 200, height: 10)
        var buffer = CellBuffer(width: 200, height: 1)
        HeaderBar.render(state, into: &buffer, area: Rect(x: 0, y: 0, width: 200, height: 1))
        #expect(!buffer.text().contains("gateway replicas"), "no replicas, no mention")

        let replicas = [GatewayReplicaInfo(id: "edge-1:8080", lastReportAt: state.now, counted: true, versions: 2, requestsInWindow: 900),
                        GatewayReplicaInfo(id: "edge-2:8080", lastReportAt: state.now.addingTimeInterval(-30), counted: false,
                                           versions: 2, requestsInWindow: 0)]
        _ = reduce(&state, .gatewaysLoaded(.success(replicas)))
        HeaderBar.render(state, into: &buffer, area: Rect(x: 0, y: 0, width: 200, height: 1))
        #expect(buffer.text().contains("1/2 gateway replicas counted"), "\(buffer.text())")
        // A failed read keeps the last list rather than hiding a replica that stopped reporting.
        _ = reduce(&state, .gatewaysLoaded(.failure(FetchFailure("connection refused"))))
        #expect(state.gateways == replicas)
        // They are read with the registry, every fifth second.
        state.ticks = 0
        #expect(reduce(&state, .tick(state.now)).contains(.fetchGateways))
    }
}
