import Foundation
import NightjarCore
import Testing
@testable import Rollout

/// blue-green and shadow-only plans driven through recorded sequences of shadow and client stats,
/// one second at a time, as the controller drives them.
@Suite struct ShadowingPlanTests {
    static let stable = SemVer(1, 0, 0)
    static let candidate = SemVer(1, 1, 0)
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// What mirroring showed after `compared` answers compared.
    static func shadow(compared: Int, agreement: Double = 1, difference: Double = 0.01, errors: Int = 0, p99: Double = 5,
                       version: SemVer = candidate) -> ShadowStats {
        let latency = LatencySummary(p50: p99 / 2, p90: p99 * 0.9, p95: p99 * 0.95, p99: p99, max: p99)
        return ShadowStats(endpoint: "fraud", version: version, mirrored: compared + errors, dropped: 0, shadowErrors: errors,
                           compared: compared, agreementRate: agreement, meanAbsoluteDifference: difference,
                           shadowLatencyMs: latency, primaryLatencyMs: latency)
    }

    static func clients(_ version: SemVer, rps: Double, errorRate: Double = 0) -> StatsSnapshot {
        StatsSnapshot(model: ModelRef(name: "fraud", version: version), requestsTotal: 0, errorsTotal: 0, windowSeconds: 10,
                      requestsPerSecond: rps, errorRate: errorRate,
                      latencyMs: LatencySummary(p50: 2, p90: 4, p95: 4, p99: 5, max: 5), uptimeSeconds: 100)
    }

    static func start(_ strategy: RolloutPlan.Strategy, interval: Double = 10, mirror: Int = 50) throws -> RolloutStatus {
        try RolloutMachine.start(endpoint: "fraud", stable: stable, candidate: candidate,
                                 plan: try RolloutPlan.shadowing(strategy, intervalSeconds: interval, mirrorPercent: mirror),
                                 actor: "test", at: t0)
    }

    /// One recorded second: the shadow's stats (nil before the first copy) and the candidate's client stats.
    struct Second {
        var shadow: ShadowStats?
        var candidate: StatsSnapshot?
    }

    /// Feeds the seconds and returns each split put in place, with the routing each state asks for, and the end state.
    static func run(_ status: RolloutStatus, _ seconds: [Second]) -> (RolloutStatus, [[TrafficWeight]], [DeploymentRouting.Shadow?]) {
        var status = status
        var splits: [[TrafficWeight]] = []
        var shadows: [DeploymentRouting.Shadow?] = []
        var routing = RolloutMachine.routing(for: status, current: DeploymentRouting()) ?? DeploymentRouting()
        for (i, second) in seconds.enumerated() {
            let now = t0.addingTimeInterval(Double(i + 1))
            let decision = RolloutMachine.decide(status, stable: clients(stable, rps: 50), candidate: second.candidate,
                                                 shadow: second.shadow, at: now)
            let (next, weights) = RolloutMachine.apply(decision, to: status, at: now)
            status = next
            if let weights {
                splits.append(weights)
                if let changed = RolloutMachine.routing(for: status, current: routing) { routing = changed }
                shadows.append(routing.shadow)
            }
            if status.state.isFinished { break }
        }
        return (status, splits, shadows)
    }

    /// A shadow that has compared `perSecond` more answers every second, agreeing and close.
    static func healthyShadow(_ seconds: Int, perSecond: Int = 5) -> [Second] {
        (1...seconds).map { Second(shadow: shadow(compared: $0 * perSecond)) }
    }

    @Test func blueGreenShadowsTheCandidateFirstThenSwitchesEverythingAtOnce() throws {
        let start = try Self.start(.blueGreen)
        #expect(RolloutMachine.weights(for: start) == [TrafficWeight(version: Self.stable, weight: 100), TrafficWeight(version: Self.candidate, weight: 0)])
        #expect(RolloutMachine.routing(for: start, current: DeploymentRouting())?.shadow == .init(version: Self.candidate, mirrorPercent: 50))

        // 10 s of agreeing shadow answers, then the candidate serves everything and stays healthy for 10 s more.
        let seconds = Self.healthyShadow(10) + (1...12).map { _ in Second(candidate: Self.clients(Self.candidate, rps: 40)) }
        let (end, splits, shadows) = Self.run(start, seconds)
        #expect(splits.map { $0.first { $0.version == Self.candidate }?.weight } == [100, 100])
        #expect(splits.first == [TrafficWeight(version: Self.stable, weight: 0), TrafficWeight(version: Self.candidate, weight: 100)])
        // Once it serves, it is not shadowed any more.
        #expect(shadows == [nil, nil])
        #expect(end.state == .promoted && end.updatedAt == Self.t0.addingTimeInterval(20))
    }

    @Test func blueGreenWaitsForEnoughComparedAnswersBeforeSwitching() throws {
        // 1 comparison a second: the 20-comparison minimum is reached only at 20 s, long after the 10 s interval.
        let seconds = Self.healthyShadow(25, perSecond: 1)
        let (end, splits, _) = Self.run(try Self.start(.blueGreen), seconds)
        #expect(splits.count == 1)
        #expect(end.stepIndex == 1 && end.stepStartedAt == Self.t0.addingTimeInterval(20))
        // And no shadow stats at all is silence, not a pass.
        let (quiet, quietSplits, _) = Self.run(try Self.start(.blueGreen), Array(repeating: Second(), count: 30))
        #expect(quiet.state == .progressing && quiet.stepIndex == 0 && quietSplits.isEmpty)
        #expect(quiet.checks.count == 4 && quiet.checks.allSatisfy { $0.verdict == .notEnoughData })
    }

    @Test func blueGreenRollsBackWhenTheShadowDisagrees() throws {
        // Agreeing for 5 s, then labels start to differ: 90% agreement against the 95% minimum.
        var seconds = Self.healthyShadow(5)
        seconds += (6...8).map { Second(shadow: Self.shadow(compared: $0 * 5, agreement: 0.9)) }
        let (end, splits, shadows) = Self.run(try Self.start(.blueGreen), seconds)
        #expect(end.state == .rolledBack && end.updatedAt == Self.t0.addingTimeInterval(6))
        #expect(end.reason == "shadow agreement 90.0% < 95.0%")
        #expect(splits == [[TrafficWeight(version: Self.stable, weight: 100)]])
        #expect(shadows == [nil])
    }

    @Test func blueGreenRollsBackOnScoresErrorsOrLatencyOfTheShadow() throws {
        let cases: [(ShadowStats, String)] = [
            (Self.shadow(compared: 30, difference: 0.2), "shadow score difference 0.2 > 0.05"),
            (Self.shadow(compared: 30, errors: 10), "shadow error rate 25.0% > 5.0%"),
            (Self.shadow(compared: 30, p99: 400), "shadow p99 latency 400 ms > 250 ms"),
        ]
        for (stats, reason) in cases {
            let (end, _, _) = Self.run(try Self.start(.blueGreen), [Second(shadow: stats)])
            #expect(end.state == .rolledBack && end.reason == reason)
        }
        // Stats of another shadow version (an operator's, left from before) are not the candidate's.
        let (other, _, _) = Self.run(try Self.start(.blueGreen), [Second(shadow: Self.shadow(compared: 30, agreement: 0, version: SemVer(9, 0, 0)))])
        #expect(other.state == .progressing && other.checks.allSatisfy { $0.verdict == .notEnoughData })
    }

    @Test func blueGreenAfterTheSwitchIsJudgedOnClientsAndRollsBackToStable() throws {
        let seconds = Self.healthyShadow(10) + (1...5).map { _ in Second(candidate: Self.clients(Self.candidate, rps: 40, errorRate: 0.2)) }
        let (end, splits, _) = Self.run(try Self.start(.blueGreen), seconds)
        #expect(end.state == .rolledBack && end.reason == "error rate 20.0% > 5.0%")
        #expect(splits.last == [TrafficWeight(version: Self.stable, weight: 100)])
    }

    @Test func shadowOnlyWatchesButNeverMovesEvenWhenARuleFails() throws {
        let start = try Self.start(.shadowOnly, interval: 5)
        var seconds = Self.healthyShadow(30)
        seconds += (31...40).map { Second(shadow: Self.shadow(compared: $0 * 5, agreement: 0.5)) }
        let (end, splits, _) = Self.run(start, seconds)
        #expect(end.state == .progressing && end.stepIndex == 0 && splits.isEmpty)
        #expect(end.checks.first { $0.rule == RolloutAnalysis.shadowAgreementRule }?.verdict == .failing)
        #expect(RolloutMachine.routing(for: end, current: DeploymentRouting())?.shadow == .init(version: Self.candidate, mirrorPercent: 50))

        // It ends only by an operator: promote gives the candidate everything and ends the shadow, abort keeps stable.
        let shadowed = DeploymentRouting(shadow: .init(version: Self.candidate, mirrorPercent: 50), sticky: .init(header: "x-user-id"))
        let (promoted, promotedSplit) = try RolloutMachine.command(.promote, end, reason: "looks right", at: Self.t0)
        #expect(promoted.state == .promoted && promotedSplit == [TrafficWeight(version: Self.candidate, weight: 100)])
        #expect(RolloutMachine.routing(for: promoted, current: shadowed) == DeploymentRouting(sticky: .init(header: "x-user-id")))
        let (aborted, abortedSplit) = try RolloutMachine.command(.abort, end, reason: "enough", at: Self.t0)
        #expect(aborted.state == .aborted && abortedSplit == [TrafficWeight(version: Self.stable, weight: 100)])
        #expect(RolloutMachine.routing(for: aborted, current: shadowed)?.shadow == nil)
    }

    @Test func aCanaryClearsAShadowOnItsCandidateAndKeepsOtherSettings() throws {
        let canary = try RolloutMachine.start(endpoint: "fraud", stable: Self.stable, candidate: Self.candidate,
                                              plan: RolloutPlan(strategy: .canary, steps: [10, 100], intervalSeconds: 5), actor: "t", at: Self.t0)
        let onCandidate = DeploymentRouting(shadow: .init(version: Self.candidate, mirrorPercent: 10), sticky: .init(header: "x-user-id"))
        #expect(RolloutMachine.routing(for: canary, current: onCandidate) == DeploymentRouting(sticky: .init(header: "x-user-id")))
        let elsewhere = DeploymentRouting(shadow: .init(version: SemVer(2, 0, 0), mirrorPercent: 10))
        #expect(RolloutMachine.routing(for: canary, current: elsewhere) == nil)
    }

    @Test func shadowingPlansAreValidatedAndDecodeWithoutSteps() throws {
        #expect(throws: NightjarError.self) { try RolloutPlan.shadowing(.blueGreen, intervalSeconds: 10, mirrorPercent: 0) }
        #expect(throws: NightjarError.self) { try RolloutPlan.shadowing(.canary, intervalSeconds: 10) }
        #expect(throws: NightjarError.self) {
            try RolloutPlan(strategy: .blueGreen, steps: [10, 100], intervalSeconds: 10).validate()
        }
        let decoded = try JSONDecoder().decode(RolloutPlan.self, from: Data(#"{"strategy": "blue-green", "intervalSeconds": 30}"#.utf8))
        #expect(decoded == RolloutPlan(strategy: .blueGreen, steps: [0, 100], intervalSeconds: 30))
        let shadowOnly = try JSONDecoder().decode(RolloutPlan.self, from: Data(#"{"strategy": "shadow-only", "mirrorPercent": 5}"#.utf8))
        #expect(shadowOnly.steps == [0] && shadowOnly.mirrorPercent == 5 && shadowOnly.intervalSeconds == 60)
        // Plans stored before shadowing existed still decode.
        let old = try JSONDecoder().decode(RolloutPlan.self, from: Data(#"{"strategy":"canary","steps":[10,100],"intervalSeconds":5,"rules":{}}"#.utf8))
        #expect(old.mirrorPercent == 100 && old.rules.minimumShadowComparisons == 20)
    }
}
