import Foundation
import Testing
import TestSupport

/// `/metrics` must pass Prometheus' own linter, so scrapers and recording rules take it as is.
@Suite struct MetricsTests {
    static let promtool: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test func metricsFollowPrometheusConventions() async throws {
        let worker = try await RunningWorker.start()
        for _ in 0..<3 { _ = try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[0, 1, 2, 3, 4, 5]])) }
        _ = try await worker.post("/v2/models/fraud/infer", body: #"{"inputs":[]}"#)
        let metrics = try await worker.get("/metrics").body
        await worker.stop()

        for family in ["nightjar_worker_requests_total", "nightjar_worker_rows_total", "nightjar_worker_request_duration_seconds_bucket",
                       "nightjar_worker_engine_duration_seconds_count", "nightjar_worker_batch_rows_bucket",
                       "nightjar_worker_queue_depth", "nightjar_worker_ready", "process_cpu_seconds_total",
                       "process_resident_memory_bytes"] {
            #expect(metrics.contains(family), "missing \(family)")
        }
        #expect(metrics.contains(#"nightjar_worker_rows_total{model="fraud",version="1.0.0"} 3"#))

        guard let promtool = Self.promtool else {
            print("SKIPPED promtool check: promtool not installed (Debian package 'prometheus'; `make deps` installs it)")
            return
        }
        let check = await ChildProcess([promtool, "check", "metrics"], standardInput: Data(metrics.utf8)).run()
        let report = check.output
        #expect(check.succeeded, "promtool check metrics:\n\(report)\n---\n\(metrics)")
        #expect(report.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool lint:\n\(report)")
    }
}
