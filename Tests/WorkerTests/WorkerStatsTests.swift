import Foundation
import NightjarCore
import Testing
import Worker

@Suite struct WorkerStatsTests {
    let ref = ModelRef(name: "fraud", version: SemVer(1, 0, 0))

    @Test func windowsOfTenSecondsOneMinuteAndFiveMinutes() throws {
        let start = Date(timeIntervalSince1970: 3_000_000)
        let stats = WorkerStats(model: ref, startedAt: start)
        // One request per second for 5 minutes, 2 rows each; those in the last 30 s failed with 503.
        for s in 0..<300 {
            let at = start.addingTimeInterval(Double(s) + 0.5)
            stats.record(status: s >= 270 ? 503 : 200, elapsed: .milliseconds(s % 10 + 1), rows: s >= 270 ? 0 : 2, at: at)
            if s < 270 { stats.recordEngineCall(rows: 2, elapsed: .microseconds(300), at: at) }
        }
        // Read just before the 300th second ends, so every window is full.
        let snap = stats.snapshot(at: start.addingTimeInterval(299.9))
        let windows = try #require(snap.windows)
        #expect(windows.map(\.seconds) == [10, 60, 300])
        #expect(windows.map(\.requests) == [10, 60, 300])
        #expect(windows[0].errors == 10 && windows[0].errorRate == 1)
        #expect(windows[1].errors == 30 && abs(windows[1].errorRate - 0.5) < 1e-9)
        #expect(windows[2].errorsByStatus == ["503": 30])
        #expect(windows[2].rows == 540 && abs(windows[2].rowsPerSecond - 540 / 299.9) < 1e-9)
        #expect(windows[2].batchSizes == ["2": 270])
        #expect(windows[0].batchSizes.isEmpty)
        #expect(abs(windows[2].engineLatencyMs.p99 - 0.3) < 0.01)
        #expect(windows[2].latencyMs.max >= 10 && windows[2].latencyMs.p50 >= 5)
        // The original top-level fields are the 10 s window.
        #expect(snap.requestsPerSecond == windows[0].requestsPerSecond && snap.errorRate == 1)
        #expect(snap.requestsTotal == 300 && snap.errorsTotal == 30 && snap.rowsTotal == 540)
        #expect(snap.errorsByStatus == ["503": 30] && snap.batchSizes == ["2": 270])
    }

    /// Requests record into their second's slice, which joins the windows when the clock moves on;
    /// a read must see that second as it fills, and a record stamped earlier must still count.
    @Test func theSecondBeingRecordedCountsInEveryRead() throws {
        let start = Date(timeIntervalSince1970: 3_000_000)
        let stats = WorkerStats(model: ref, startedAt: start)
        stats.record(status: 200, elapsed: .milliseconds(1), rows: 1, at: start.addingTimeInterval(5.2))
        stats.record(status: 500, elapsed: .milliseconds(1), rows: 0, at: start.addingTimeInterval(5.7))
        var windows = try #require(stats.snapshot(at: start.addingTimeInterval(5.8)).windows)
        #expect(windows.map(\.requests) == [2, 2, 2] && windows[0].errorsByStatus == ["500": 1])
        // Read twice: reading must not move the second into the windows a second time.
        windows = try #require(stats.snapshot(at: start.addingTimeInterval(5.9)).windows)
        #expect(windows.map(\.requests) == [2, 2, 2])
        stats.record(status: 200, elapsed: .milliseconds(1), rows: 1, at: start.addingTimeInterval(7.1))
        // Stamped before the second being recorded (a caller with its own clock).
        stats.record(status: 200, elapsed: .milliseconds(1), rows: 1, at: start.addingTimeInterval(6.5))
        windows = try #require(stats.snapshot(at: start.addingTimeInterval(7.5)).windows)
        #expect(windows.map(\.requests) == [4, 4, 4] && windows.map(\.rows) == [3, 3, 3])
        // Twelve seconds on, the 10 s window has let go of seconds 5–7; the longer ones keep them.
        windows = try #require(stats.snapshot(at: start.addingTimeInterval(17.5)).windows)
        #expect(windows.map(\.requests) == [0, 4, 4])
    }

    @Test func snapshotsOfOlderWorkersStillDecode() throws {
        let old = #"""
        {"model": {"name": "fraud", "version": "1.0.0"}, "requestsTotal": 1200, "errorsTotal": 9,
         "windowSeconds": 10, "requestsPerSecond": 31.2, "errorRate": 0.006,
         "latencyMs": {"p50": 0.37, "p90": 0.5, "p95": 0.55, "p99": 0.62, "max": 1.9}, "uptimeSeconds": 41.5}
        """#
        let snap = try JSONDecoder().decode(StatsSnapshot.self, from: Data(old.utf8))
        #expect(snap.requestsTotal == 1200 && snap.windows == nil && snap.process == nil && snap.latencyMs.p999 == nil)
    }

    @Test func newSnapshotsRoundTrip() throws {
        let stats = WorkerStats(model: ref)
        stats.record(status: 200, elapsed: .milliseconds(2), rows: 3)
        stats.recordEngineCall(rows: 3, elapsed: .microseconds(100))
        let snap = stats.snapshot(ready: true, process: ProcessStats(cpuSeconds: 1.5, residentMemoryBytes: 1 << 20, threads: 4))
        let decoded = try JSONDecoder().decode(StatsSnapshot.self, from: JSONEncoder().encode(snap))
        #expect(decoded == snap)
    }

    @Test func readsCPUAndMemoryFromProcText() throws {
        // proc(5): a command name with spaces and parentheses, utime 250 and stime 50 ticks, 7 threads.
        let stat = "4242 (my (odd) worker) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 7 0 12345 100000000 2500"
        let process = try #require(ProcessStatsReader.parse(stat: stat, statm: "25000 2500 300 100 0 4000 0\n",
                                                             ticksPerSecond: 100, pageSize: 4096))
        #expect(process == ProcessStats(cpuSeconds: 3, residentMemoryBytes: 2500 * 4096, threads: 7))
        #expect(ProcessStatsReader.parse(stat: "garbage", statm: "", ticksPerSecond: 100, pageSize: 4096) == nil)
    }

    @Test func theLiveProcessHasCPUAndMemory() throws {
        #if os(Linux)
        let process = try #require(ProcessStatsReader.current())
        #expect(process.residentMemoryBytes > 0)
        #expect(process.cpuSeconds >= 0)
        #endif
    }
}
