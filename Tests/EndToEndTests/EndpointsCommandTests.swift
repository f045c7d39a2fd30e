import Client
import Foundation
import NightjarCore
import Testing
import TestSupport

/// `nightjar endpoints` against a real server process: what the operator reads off the table.
@Suite struct EndpointsCommandTests {
    @Test(.timeLimit(.minutes(2)))
    func aVersionWithNoRequestsShowsNoErrorRateOrLatency() async throws {
        let fixture = try await FraudServer.start("endpoints", split: [TrafficWeight(version: SemVer(1, 0, 0), weight: 90),
                                                                      TrafficWeight(version: SemVer(1, 1, 0), weight: 10)])
        defer { fixture.stop() }
        let (server, client) = (fixture.server, fixture.client)

        // One prediction makes the gateway keep numbers for 1.0.0 (its stand-in worker refuses it);
        // then wait for it to leave the 10 s window: 1.0.0 has stats, and no request in them.
        _ = await ChildProcess(["curl", "-s", "-o", "/dev/null", "-X", "POST", "\(server.gatewayURL)/v2/models/fraud/infer",
                                "-H", "x-nightjar-version: 1.0.0", "-H", "Content-Type: application/json", "--data", #"{"inputs":[]}"#]).run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let stats = try await client.endpoint("fraud").versions.first { $0.version == SemVer(1, 0, 0) }?.stats
            if let stats, stats.requestsPerSecond == 0 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let idle = try await client.endpoint("fraud").versions.first { $0.version == SemVer(1, 0, 0) }?.stats
        #expect(idle != nil && idle?.requestsPerSecond == 0, "1.0.0's stats never went idle: \(String(describing: idle))")

        let listed = await fixture.nightjar(["endpoints"])
        #expect(listed.succeeded, "\(listed.output)")
        let lines = listed.output.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("ENDPOINT") })
        // Columns by the header's positions: ERR% and P99 MS of each version.
        func cell(_ line: String, _ title: String, _ next: String) -> String {
            let start = header.distance(from: header.startIndex, to: header.range(of: title)!.lowerBound)
            let end = header.distance(from: header.startIndex, to: header.range(of: next)!.lowerBound)
            return String(Array(line)[start..<min(end, line.count)]).trimmingCharacters(in: .whitespaces)
        }
        let rows = lines.filter { $0.contains("1.0.0 ") || $0.contains("1.1.0 ") }
        #expect(rows.count == 2, "\(listed.output)")
        #expect(rows.contains { $0.contains("0.0") }, "1.0.0's request rate is measured (0.0): \(listed.output)")
        for row in rows {
            #expect(cell(row, "ERR%", "P99 MS") == "—", "\(listed.output)")
            #expect(cell(row, "P99 MS", "DRIFT") == "—", "\(listed.output)")
        }
    }
}
