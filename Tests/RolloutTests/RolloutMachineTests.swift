import Foundation
import NightjarCore
import Testing
@testable import Rollout

/// The rollout state machine driven through recorded stat sequences, one second at a time, the way
/// the controller drives it.
@Suite struct RolloutMachineTests {
    static let stable = SemVer(1, 0, 0)
    static let candidate = SemVer(1, 1, 0)
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func stats(_ version: SemVer, rps: Double, errorRate: Double = 0, p99: Double = 5) -> StatsSnapshot {
        StatsSnapshot(model: ModelRef(name: "fraud", version: version), requestsTotal: 0, errorsTotal: 0, windowSeconds: 10,
                      requestsPerSecond: rps, errorRate: errorRate,
                      latencyMs: LatencySummary(p50: p99 / 2, p90: p99 * 0.9, p95: p99 * 0.95, p99: p99, max: p99),
                      uptimeSeconds: 100)
    }

    static func start(steps: [Int] = [10, 50, 100], interval: Double = 10) throws -> RolloutStatus {
        try RolloutMachine.start(endpoint: "fraud", stable: stable, candidate: candidate,
                                 plan: RolloutPlan(strategy: .canary, steps: steps, intervalSeconds: interval),
                                 actor: "test", at: t0)
    }

    /// Feeds one stats pair per second and returns every split the machine put in place, and the end state.
    static func run(_ status: RolloutStatus, seconds: Int, candidate: (Int) -> StatsSnapshot) -> (RolloutStatus, [[TrafficWeight]]) {
        var status = status
        var splits: [[TrafficWeight]] = []
        for s in 1...seconds {
            let now = t0.addingTimeInterval(Double(s))
            let decision = RolloutMachine.decide(status, stable: stats(stable, rps: 50), candidate: candidate(s), at: now)
            let (next, weights) = RolloutMachine.apply(decision, to: status, at: now)
            status = next
            if let weights { splits.append(weights) }
            if status.state.isFinished { break }
        }
        return (status, splits)
    }

    @Test func healthyCandidateWalksEveryStepThenIsPromoted() throws {
        let (end, splits) = Self.run(try Self.start(), seconds: 60) { _ in Self.stats(Self.candidate, rps: 10) }
        #expect(end.state == .promoted)
        #expect(splits.map { $0.first { $0.version == Self.candidate }?.weight } == [50, 100, 100])
        #expect(end.checks.allSatisfy { $0.verdict == .passing })
    }

    @Test func failingErrorRateRollsBackAtOnceNamingTheRuleAndValue() throws {
        // Healthy for 5 s, then 30% errors: the very next check rolls back, mid-step.
        let (end, splits) = Self.run(try Self.start(), seconds: 60) { s in
            Self.stats(Self.candidate, rps: 10, errorRate: s <= 5 ? 0 : 0.3)
        }
        #expect(end.state == .rolledBack)
        #expect(end.updatedAt == Self.t0.addingTimeInterval(6))
        #expect(splits.last == [TrafficWeight(version: Self.stable, weight: 100)])
        #expect(end.reason == "error rate 30.0% > 5.0%")
    }

    /// Readers show a rule's numbers in the unit the analysis gives, never one guessed from its name.
    @Test func everyRuleSaysWhichUnitItsNumbersAreIn() {
        let rules = AnalysisRules()
        let checks = RolloutAnalysis.check(rules, stable: Self.stats(Self.stable, rps: 50), candidate: Self.stats(Self.candidate, rps: 50))
            + RolloutAnalysis.checkShadow(rules, shadow: nil)
        #expect(Dictionary(uniqueKeysWithValues: checks.map { ($0.rule, $0.unit) }) == [
            "error rate": .fraction, "error rate vs stable": .fraction, "p99 latency": .milliseconds, "p99 vs stable": .milliseconds,
            "shadow agreement": .fraction, "shadow score difference": .number, "shadow error rate": .fraction,
            "shadow p99 latency": .milliseconds,
        ])
        #expect(RolloutAnalysis.describe(checks[2]) == "p99 latency 5.0 ms ≤ \(RuleCheck.Unit.milliseconds.text(rules.maxP99Ms))")
    }

    @Test func slowCandidateRollsBackOnLatencyVersusStable() throws {
        let (end, _) = Self.run(try Self.start(), seconds: 30) { _ in Self.stats(Self.candidate, rps: 10, p99: 40) }
        #expect(end.state == .rolledBack)
        // stable p99 5 ms × 2 + 10 ms slack = 20 ms allowed.
        #expect(end.reason == "p99 vs stable 40 ms > 20 ms")
    }

    @Test func quietCandidateNeitherAdvancesNorRollsBack() throws {
        // 1 request/s over a 10 s window is below the 20-request minimum: no verdict either way,
        // even with every request failing.
        let (end, splits) = Self.run(try Self.start(), seconds: 40) { _ in Self.stats(Self.candidate, rps: 1, errorRate: 1) }
        #expect(end.state == .progressing)
        #expect(end.stepIndex == 0)
        #expect(splits.isEmpty)
        #expect(end.checks.allSatisfy { $0.verdict == .notEnoughData })
    }

    @Test func pausedRolloutHoldsItsStepButStillRollsBack() throws {
        var status = try Self.start()
        (status, _) = try RolloutMachine.command(.pause, status, reason: "looking", at: Self.t0)
        let (held, heldSplits) = Self.run(status, seconds: 30) { _ in Self.stats(Self.candidate, rps: 10) }
        #expect(held.state == .paused && held.stepIndex == 0 && heldSplits.isEmpty)
        let (failed, _) = Self.run(status, seconds: 5) { _ in Self.stats(Self.candidate, rps: 10, errorRate: 0.5) }
        #expect(failed.state == .rolledBack)
    }

    @Test func commandsFollowTheStateMachine() throws {
        let status = try Self.start()
        let (paused, pauseSplit) = try RolloutMachine.command(.pause, status, reason: "r", at: Self.t0)
        #expect(paused.state == .paused && pauseSplit == nil)
        #expect(throws: NightjarError.self) { try RolloutMachine.command(.pause, paused, reason: "r", at: Self.t0) }
        #expect(throws: NightjarError.self) { try RolloutMachine.command(.resume, status, reason: "r", at: Self.t0) }
        let later = Self.t0.addingTimeInterval(100)
        let (resumed, _) = try RolloutMachine.command(.resume, paused, reason: "r", at: later)
        #expect(resumed.state == .progressing && resumed.nextStepAt == later.addingTimeInterval(10))
        let (promoted, promoteSplit) = try RolloutMachine.command(.promote, status, reason: "r", at: Self.t0)
        #expect(promoted.state == .promoted && promoteSplit == [TrafficWeight(version: Self.candidate, weight: 100)])
        let (aborted, abortSplit) = try RolloutMachine.command(.abort, status, reason: "r", at: Self.t0)
        #expect(aborted.state == .aborted && abortSplit == [TrafficWeight(version: Self.stable, weight: 100)])
        for finished in [promoted, aborted] {
            for command in RolloutCommand.allCases {
                #expect(throws: NightjarError.self) { try RolloutMachine.command(command, finished, reason: "r", at: Self.t0) }
            }
        }
    }

    @Test func plansAreValidated() {
        #expect(throws: NightjarError.self) { try Self.start(steps: [10, 50]) }
        #expect(throws: NightjarError.self) { try Self.start(steps: [50, 10, 100]) }
        #expect(throws: NightjarError.self) { try Self.start(interval: 0) }
        #expect(throws: NightjarError.self) {
            try RolloutMachine.start(endpoint: "fraud", stable: Self.stable, candidate: Self.stable,
                                     plan: RolloutPlan(strategy: .canary, steps: [100], intervalSeconds: 5), actor: "t", at: Self.t0)
        }
        #expect((try? RolloutPlan.linear(increment: 30, intervalSeconds: 5).steps) == [30, 60, 90, 100])
    }
}
