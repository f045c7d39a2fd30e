import Foundation
import NightjarCore
import Testing
@testable import Console

/// The overview's drift badge: a drifting endpoint is flagged beside its health (drift is a reason
/// to look, not an outage), and a version without traffic does not hide the one serving it.
@Suite struct DriftBadgeTests {
    static func report(_ verdict: DriftVerdict, column: String = "amount", psi: Double = 0.41) -> DriftReport {
        let histogram = DriftHistogram(labels: ["< 0", "≥ 0"], reference: [0.5, 0.5], live: [0.1, 0.9])
        return DriftReport(windowSeconds: 300, columns: [
            DriftColumnReport(name: column, role: .feature, kind: .numeric, verdict: verdict, reasons: [],
                              statistics: DriftStatistics(psi: psi), histogram: histogram,
                              referenceCount: 1000, liveCount: 800, referenceMissing: 0, liveMissing: 0),
        ])
    }

    static func fraud(serving: DriftVerdict?, idle: DriftVerdict?) -> EndpointStatus {
        var status = Fixtures.fraud(rollout: nil, weights: (100, 0))
        status.versions[0].stats = Fixtures.stats("fraud", Fixtures.v100, rps: 30, errorRate: 0, p99: 0.6)
        status.versions[1].stats = nil
        status.versions[0].drift = serving.map { Self.report($0) }
        status.versions[1].drift = idle.map { Self.report($0, column: "age") }
        return status
    }

    @Test func driftingInputsAreFlaggedBesideAHealthyEndpointsHealth() {
        let health = EndpointHealth(Self.fraud(serving: .drift, idle: nil))
        #expect(health.drift == .drift)
        #expect(health.verdict == .ok)
    }

    @Test func theServingVersionsReportWinsOverAnIdleOnes() {
        let health = EndpointHealth(Self.fraud(serving: .ok, idle: .drift))
        #expect(health.drift == .ok)
        #expect(health.verdict == .ok)
    }

    @Test func notEnoughDataIsSaidAndJudgesNothing() {
        let health = EndpointHealth(Self.fraud(serving: .notEnoughData, idle: nil))
        #expect(health.drift == .notEnoughData)
        #expect(health.verdict == .ok)
    }

    @Test func theOverviewRowShowsTheBadgeBySymbolAndWord() {
        var state = Fixtures.loadedState(width: 160, height: 48)
        state.endpoints = [Self.fraud(serving: .drift, idle: nil), Fixtures.churn]
        let buffer = Screen.render(state)
        let row = buffer.text().split(separator: "\n").first { $0.hasPrefix("│") && $0.contains(" fraud ") }.map(String.init) ?? ""
        #expect(row.contains("✖ drift"), "fraud row: \(row)")
        let churn = buffer.text().split(separator: "\n").first { $0.hasPrefix("│") && $0.contains(" churn ") }.map(String.init) ?? ""
        #expect(churn.contains("—"), "a version without a report shows a dash: \(churn)")
    }
}
