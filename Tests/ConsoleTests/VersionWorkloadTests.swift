import Foundation
import NightjarCore
import Testing
@testable import Console

/// What the endpoint detail says of each version's workers: answers by status, batch sizes, CPU
/// and memory, from the workers' own stats.
@Suite struct VersionWorkloadTests {
    @Test func sumsTheOneMinuteWindowsOfTheVersionsReadyWorkers() {
        let state = Fixtures.loadedState()
        let stable = VersionWorkload(state.workers, model: ModelRef(name: "fraud", version: Fixtures.v100))
        #expect(stable.reporting == 1)
        #expect(stable.windowSeconds == 60)
        #expect(stable.requests == 1800)
        #expect(stable.errorsByStatus == [400: 3, 500: 9])
        #expect(stable.successes == 1788)
        // CPU from two polls ten seconds apart: 1.2 s of CPU time is 12% of a core.
        #expect(stable.cpuPercent.map { abs($0 - 12) < 1e-9 } == true)
        #expect(stable.residentBytes == 61 * 1024 * 1024)
        // 1100 calls of one row, 260 of two, 130 of three or four, 12 of seven.
        #expect(stable.batchGroups.map(\.label) == ["1", "2", "3-4", "5-8"])
        #expect(stable.batchGroups.map { ($0.share * 1502).rounded() } == [1100, 260, 130, 12])
        #expect(stable.meanBatch.map { abs($0 - Double(1100 + 520 + 270 + 160 + 84) / 1502) < 1e-9 } == true)
    }

    @Test func olderWorkersWithoutWindowsCountSinceStartAndLostWorkersDoNotCount() {
        var row = AppState.WorkerRow(info: Fixtures.workers[0])
        var stats = Fixtures.stats("fraud", Fixtures.v100, rps: 30)
        stats.errorsByStatus = ["500": 10]
        stats.batchSizes = ["1": 5]
        row.stats = stats
        let workload = VersionWorkload([row], model: ModelRef(name: "fraud", version: Fixtures.v100))
        #expect(workload.windowSeconds == nil)
        #expect(workload.requests == 1000 && workload.successes == 990)
        #expect(workload.cpuPercent == nil && workload.residentBytes == nil)
        row.info.state = .lost
        #expect(VersionWorkload([row], model: ModelRef(name: "fraud", version: Fixtures.v100)).reporting == 0)
        #expect(VersionWorkload([row], model: ModelRef(name: "fraud", version: Fixtures.v110)).reporting == 0)
    }

    @Test func cpuIsNotGuessedFromOneSnapshotNorFromAWorkerThatRestarted() {
        var state = Fixtures.loadedState()
        _ = reduce(&state, .workersLoaded(.success(Fixtures.workers + [
            WorkerInfo(id: "w3", model: ModelRef(name: "fraud", version: Fixtures.v100), address: "http://127.0.0.1:1", pid: 3, state: .ready, lastSeen: Fixtures.now),
        ])))
        var stats = Fixtures.stats("fraud", Fixtures.v100, rps: 1)
        stats.process = ProcessStats(cpuSeconds: 5, residentMemoryBytes: 1)
        stats.uptimeSeconds = 100
        _ = reduce(&state, .statsLoaded(workerID: "w3", .success(stats)))
        #expect(state.workers.first { $0.info.id == "w3" }?.cpuPercent == nil)
        stats.uptimeSeconds = 3  // restarted: its uptime went back
        stats.process?.cpuSeconds = 0.1
        _ = reduce(&state, .statsLoaded(workerID: "w3", .success(stats)))
        #expect(state.workers.first { $0.info.id == "w3" }?.cpuPercent == nil)
    }

    @Test func endpointDetailShowsAnswersBatchesAndResourcesPerVersionWhenThereIsRoom() {
        var state = Fixtures.loadedState(width: 160, height: 48)
        press(&state, .enter)
        let lines = Screen.render(state).text().split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("answers 2xx 1788 · 400 3 · 500 9 (last 1 min)") && $0.contains("2xx 414 · 500 28 · 503 2") })
        #expect(lines.contains { $0.contains("batch   mean 1.4 · 1×73% · 2×17% · 3-4×9% · 5-8×1%") })
        #expect(lines.contains { $0.contains("cpu/mem 12.0% cpu · 61.0 MiB rss · 1 worker") && $0.contains("6.0% cpu · 58.0 MiB rss") })
        #expect(lines.contains { $0.contains("drift   ✖ drift features[0]") })
        // The 5xx answers are in the critical role, the 4xx in warn.
        let buffer = Screen.render(state)
        if let y = lines.firstIndex(where: { $0.contains("answers 2xx 1788") }), let x = lines[y].firstIndex(of: "5").map({ lines[y].distance(from: lines[y].startIndex, to: $0) }) {
            #expect(buffer[x, y].role == .critical)
        }
    }

    @Test func aVersionWithoutProfileOrWorkerStatsSaysSoInsteadOfZeros() {
        var state = Fixtures.loadedState(width: 160, height: 48)
        press(&state, .down, .enter)
        #expect(state.view == .endpoint("churn"))
        let text = Screen.render(state).text()
        #expect(text.contains("drift   — no reference profile or no report yet"))
        #expect(text.contains("answers — no worker stats yet"))
        #expect(text.contains("cpu/mem — no worker stats yet"))
        #expect(!text.contains("2xx 0"))
    }

    @Test func endpointDetailKeepsTheRolloutWholeAt80x24() {
        var state = Fixtures.loadedState()
        press(&state, .enter)
        let text = Screen.render(state).text()
        #expect(text.contains("p99 vs stable"))
        #expect(!text.contains("answers 2xx"))
    }
}
