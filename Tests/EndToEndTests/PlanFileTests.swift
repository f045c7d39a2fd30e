import Client
import Foundation
import NightjarCore
import Testing
import TestSupport

/// `nightjar rollout start --plan-file`: the real binary against a real server process. A good file
/// starts the plan it describes, flags override it, and a bad one is refused naming line and key.
@Suite(.serialized) struct PlanFileTests {
    static let goodPlan = """
        # shadow first, then switch
        strategy = "blue-green"
        interval = "5m"
        mirror = 50

        [rules]
        min-shadow-agreement = 0.98
        max-shadow-score-difference = 0.02
        min-shadow-comparisons = 200
        max-p99-ms = 120
        """

    /// Runs the binary; its exit status and everything it printed.
    static func nightjar(_ arguments: [String], server: String, token: String, home: URL) async -> ChildProcess.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["NIGHTJAR_TOKEN"] = token
        environment["NIGHTJAR_HOME"] = home.path
        return await ChildProcess([DemoUnderTmux.binary.path] + arguments + ["--server", server], currentDirectory: home.path,
                                  environment: environment).run()
    }

    @Test(.timeLimit(.minutes(3)))
    func aPlanFileStartsItsPlanFlagsOverrideItAndMistakesNameLineAndKey() async throws {
        let fixture = try await FraudServer.start("plan", split: [TrafficWeight(version: SemVer(1, 0, 0), weight: 100)])
        defer { fixture.stop() }
        let (home, server, token, client) = (fixture.home, fixture.server, fixture.token, fixture.client)

        let file = home.appendingPathComponent("plan.toml")
        try Self.goodPlan.write(to: file, atomically: true, encoding: .utf8)
        let started = await Self.nightjar(["rollout", "start", "fraud", "--to", "1.1.0", "--plan-file", file.path, "--reason", "release"],
                                          server: server.url, token: token, home: home)
        #expect(started.succeeded, "\(started.output)")
        let rollout = try #require(try await client.endpoint("fraud").rollout)
        #expect(rollout.plan.strategy == .blueGreen && rollout.plan.steps == [0, 100] && rollout.plan.intervalSeconds == 300)
        #expect(rollout.plan.mirrorPercent == 50 && rollout.plan.rules.minShadowAgreement == 0.98)
        #expect(rollout.plan.rules.minimumShadowComparisons == 200 && rollout.plan.rules.maxP99Ms == 120)
        #expect(try await client.endpoint("fraud").deployment.routing.shadow == .init(version: SemVer(1, 1, 0), mirrorPercent: 50))
        _ = try await client.rollout("fraud", .abort, reason: "again with flags")

        let overridden = await Self.nightjar(
            ["rollout", "start", "fraud", "--to", "1.1.0", "--plan-file", file.path, "--mirror", "20", "--interval", "90s",
             "--max-error-rate-increase", "0.03", "--max-p99-ratio", "3", "--latency-slack-ms", "7", "--no-fail-on-drift", "--reason", "r"],
            server: server.url, token: token, home: home)
        #expect(overridden.succeeded, "\(overridden.output)")
        let second = try #require(try await client.endpoint("fraud").rollout)
        #expect(second.plan.mirrorPercent == 20 && second.plan.intervalSeconds == 90 && second.plan.rules.minShadowAgreement == 0.98)
        // Every rule key of a plan file has its flag.
        #expect(second.plan.rules.maxErrorRateIncrease == 0.03 && second.plan.rules.maxP99Ratio == 3)
        #expect(second.plan.rules.latencySlackMs == 7 && !second.plan.rules.failOnDrift)
        _ = try await client.rollout("fraud", .abort, reason: "done")

        let mistakes: [(String, String)] = [
            ("strategy = \"canary\"\nsteps = [10, 50]\n", "plan.toml, line 2, steps: [10, 50] must end at 100"),
            ("strategy = \"blue-green\"\n\nsteps = [10, 100]\n", "plan.toml, line 3, steps: only canary plans have steps"),
            ("strategy = \"rainbow\"\n", "plan.toml, line 1, strategy: 'rainbow' is not a strategy"),
            ("strategy = \"shadow-only\"\nmirror = 0\n", "plan.toml, line 2, mirror: 0 is out of range"),
            ("[rules]\nmax-p99-ms = \"fast\"\n", "plan.toml, line 2, rules.max-p99-ms: "),
            ("[rules]\nmax-p99 = 100\n", "plan.toml, line 2, rules.max-p99: unknown rule"),
            ("interval = \"soon\"\n", "plan.toml, line 1, interval: duration 'soon' is not a duration"),
            ("strategy = \"canary\n", "plan.toml, line 1, column"),
        ]
        for (text, expected) in mistakes {
            try text.write(to: file, atomically: true, encoding: .utf8)
            let refused = await Self.nightjar(["rollout", "start", "fraud", "--to", "1.1.0", "--plan-file", file.path, "--reason", "r"],
                                              server: server.url, token: token, home: home)
            #expect(!refused.succeeded && refused.output.contains(expected), "for\n\(text)\nexpected \(expected), got \(refused.output)")
        }
        // None of the refused plans reached the server.
        #expect(try await client.endpoint("fraud").rollout?.state == .aborted)
    }
}
