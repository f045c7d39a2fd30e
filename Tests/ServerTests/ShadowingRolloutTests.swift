import Client
import Foundation
import NightjarCore
import Server
import Testing

/// blue-green and shadow-only rollouts through the HTTP API and the controller: the shadow they put
/// in the routing table, the switch, and the way they end.
@Suite struct ShadowingRolloutTests {
    static let v1 = TrafficTests.v1
    static let v2 = TrafficTests.v2

    static func shadow(compared: Int, agreement: Double) -> ShadowStats {
        let latency = LatencySummary(p50: 1, p90: 2, p95: 2, p99: 3, max: 4)
        return ShadowStats(endpoint: "fraud", version: v2, mirrored: compared, dropped: 0, shadowErrors: 0, compared: compared,
                           agreementRate: agreement, meanAbsoluteDifference: 0.01, shadowLatencyMs: latency, primaryLatencyMs: latency)
    }

    @Test func blueGreenShadowsTheCandidateThenSwitchesEverythingAndIsPromoted() async throws {
        let cp = try await TrafficTests.seeded()
        defer { Task { await cp.stop() } }
        _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: TrafficTests.split((Self.v1, 100)), reason: "stable"))
        let plan = try RolloutPlan.shadowing(.blueGreen, intervalSeconds: 1, mirrorPercent: 40)
        let started = try await cp.client.startRollout("fraud", RolloutStart(candidate: Self.v2, plan: plan, reason: "release"))
        #expect(started.candidateWeight == 0)
        let shadowed = try await cp.client.endpoint("fraud").deployment
        #expect(shadowed.weights == TrafficTests.split((Self.v1, 100), (Self.v2, 0)))
        #expect(shadowed.routing.shadow == .init(version: Self.v2, mirrorPercent: 40))
        #expect(cp.dataPlane.routes.first?.shadow?.version == Self.v2 && cp.dataPlane.routes.first?.workers[Self.v2] == ["http://127.0.0.1:9001"])

        // Without shadow answers the controller holds the shadow phase however long the interval has passed.
        #expect(try await TrafficTests.eventually(2) { try await cp.client.endpoint("fraud").rollout?.checks.count == 4 })
        #expect(try await cp.client.endpoint("fraud").rollout?.stepIndex == 0)

        cp.dataPlane.setShadowStats("fraud", Self.shadow(compared: 50, agreement: 1))
        cp.dataPlane.setStats("fraud", [Self.v1: TrafficTests.stats(Self.v1, rps: 50, errorRate: 0),
                                        Self.v2: TrafficTests.stats(Self.v2, rps: 50, errorRate: 0)])
        let promoted = try await TrafficTests.eventually(20) { try await cp.client.endpoint("fraud").rollout?.state == .promoted }
        #expect(promoted)
        let end = try await cp.client.endpoint("fraud").deployment
        #expect(end.weights == TrafficTests.split((Self.v1, 0), (Self.v2, 100)) && end.routing.shadow == nil)
        let moves = try await cp.client.events().filter { $0.kind.rawValue.hasPrefix("rollout") }.map(\.message)
        #expect(moves.count == 3)
        #expect(moves.first?.contains("blue-green shadow 40% → 100%") == true)
        #expect(moves.dropFirst().first?.contains("1.0.0 100% → 0%, 1.1.0 0% → 100%") == true)
    }

    /// A seeded control plane serving 1.0.0, whose gateway reports `shadow` for the candidate, with
    /// a rollout of `plan` to 1.1.0 started.
    static func started(_ plan: RolloutPlan, shadow: ShadowStats) async throws -> RunningControlPlane {
        let cp = try await TrafficTests.seeded()
        _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: TrafficTests.split((v1, 100)), reason: "stable"))
        cp.dataPlane.setShadowStats("fraud", shadow)
        _ = try await cp.client.startRollout("fraud", RolloutStart(candidate: v2, plan: plan, reason: "release"))
        return cp
    }

    @Test func aDisagreeingShadowRollsBlueGreenBackAndEndsTheShadow() async throws {
        let cp = try await Self.started(try RolloutPlan.shadowing(.blueGreen, intervalSeconds: 60), shadow: Self.shadow(compared: 50, agreement: 0.8))
        defer { Task { await cp.stop() } }
        let back = try await TrafficTests.eventually(10) { try await cp.client.endpoint("fraud").rollout?.state == .rolledBack }
        #expect(back)
        let status = try await cp.client.endpoint("fraud")
        #expect(status.rollout?.reason == "shadow agreement 80.0% < 95.0%")
        #expect(status.deployment.weights == TrafficTests.split((Self.v1, 100), (Self.v2, 0)) && status.deployment.routing.shadow == nil)
        #expect(cp.dataPlane.routes.first?.shadow == nil)
    }

    @Test func shadowOnlyNeverMovesAndEndsOnlyByTheOperator() async throws {
        let cp = try await Self.started(try RolloutPlan.shadowing(.shadowOnly, intervalSeconds: 1), shadow: Self.shadow(compared: 50, agreement: 0.5))
        defer { Task { await cp.stop() } }
        // The failing agreement is reported, not acted on.
        let reported = try await TrafficTests.eventually(10) {
            try await cp.client.endpoint("fraud").rollout?.checks.contains { $0.rule == "shadow agreement" && $0.verdict == .failing } == true
        }
        #expect(reported)
        let watching = try await cp.client.endpoint("fraud")
        #expect(watching.rollout?.state == .progressing && watching.deployment.routing.shadow?.version == Self.v2)
        #expect(watching.deployment.revision == 2)

        #expect(try await cp.client.rollout("fraud", .abort, reason: "seen enough").state == .aborted)
        let end = try await cp.client.endpoint("fraud").deployment
        #expect(end.weights == TrafficTests.split((Self.v1, 100), (Self.v2, 0)) && end.routing.shadow == nil)
    }
}
