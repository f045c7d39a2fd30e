import Foundation
import NightjarCore
@testable import Console

/// A small, fixed world for the console tests: three endpoints (one on fire with a canary rollout,
/// one healthy, one idle), two workers, a few events, at a fixed time.
enum Fixtures {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18 11:06:40 UTC
    static let v100 = SemVer(1, 0, 0)
    static let v110 = SemVer(1, 1, 0)

    static func stats(_ name: String, _ version: SemVer, rps: Double, errorRate: Double = 0, p99: Double = 0.6) -> StatsSnapshot {
        StatsSnapshot(model: ModelRef(name: name, version: version), requestsTotal: 1000, errorsTotal: 10, windowSeconds: 10,
                      requestsPerSecond: rps, errorRate: errorRate,
                      latencyMs: LatencySummary(p50: p99 / 2, p90: p99 * 0.8, p95: p99 * 0.9, p99: p99, max: p99 * 1.5),
                      uptimeSeconds: 600)
    }

    /// A worker's own stats: the gateway's numbers plus its one-minute window (answers by status,
    /// engine batch sizes) and its process.
    static func workerStats(_ name: String, _ version: SemVer, rps: Double, errorRate: Double, p99: Double,
                            cpuSeconds: Double, uptime: Double, residentMB: Int, errors: [String: Int], batches: [String: Int]) -> StatsSnapshot {
        var s = stats(name, version, rps: rps, errorRate: errorRate, p99: p99)
        s.uptimeSeconds = uptime
        s.process = ProcessStats(cpuSeconds: cpuSeconds, residentMemoryBytes: residentMB * 1024 * 1024, threads: 4)
        s.windows = [WindowStats(seconds: 60, coveredSeconds: 60, requests: Int(rps * 60), errors: errors.values.reduce(0, +),
                                 rows: Int(rps * 60), requestsPerSecond: rps, rowsPerSecond: rps, errorRate: errorRate,
                                 latencyMs: s.latencyMs, engineLatencyMs: s.latencyMs, errorsByStatus: errors, batchSizes: batches)]
        return s
    }

    /// Bin labels as the drift report writes them for edges at -2, -1.6, … 2 (12 bins with the outer two).
    static let numericLabels = ["< -2", "[-2, -1.6)", "[-1.6, -1.2)", "[-1.2, -0.8)", "[-0.8, -0.4)", "[-0.4, 0)",
                                "[0, 0.4)", "[0.4, 0.8)", "[0.8, 1.2)", "[1.2, 1.6)", "[1.6, 2)", "≥ 2"]
    static let referenceDeciles = [0.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.0]

    static func driftColumn(_ name: String, role: DriftColumnRole = .feature, verdict: DriftVerdict, psi: Double?,
                            live: [Double], liveCount: Int = 2214, reasons: [String] = []) -> DriftColumnReport {
        DriftColumnReport(name: name, role: role, kind: .numeric, verdict: verdict, reasons: reasons,
                          statistics: DriftStatistics(psi: psi, ksStatistic: psi.map { min(0.9, $0 / 3) }, ksPValue: psi.map { $0 > 0.25 ? 3.1e-12 : 0.42 },
                                                      chiSquared: psi.map { $0 * 2000 }, chiSquaredPValue: psi.map { $0 > 0.25 ? 0 : 0.5 },
                                                      jensenShannon: psi.map { min(1, $0 / 3) }, wasserstein: psi.map { $0 * 1.3 }),
                          histogram: DriftHistogram(labels: numericLabels, reference: referenceDeciles, live: live),
                          referenceCount: 200, liveCount: liveCount, referenceMissing: 0, liveMissing: 0)
    }

    /// Live shares of a feature shifted upwards by about 1.5 standard deviations.
    static let shiftedUp = [0.0, 0.01, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.14, 0.16, 0.2, 0.2]
    static let nearReference = [0.0, 0.09, 0.11, 0.1, 0.1, 0.12, 0.09, 0.1, 0.1, 0.09, 0.1, 0.0]
    static let slightlyWider = [0.02, 0.12, 0.1, 0.08, 0.08, 0.1, 0.1, 0.08, 0.08, 0.1, 0.12, 0.02]

    /// The inputs drifted upstream, so both versions see features[0] move; the candidate's own
    /// outputs moved too, and one of its columns has too few values yet.
    static func drift(candidate: Bool) -> DriftReport {
        var columns = [
            driftColumn("features[0]", verdict: .drift, psi: 1.12, live: shiftedUp,
                        reasons: ["PSI 1.12 ≥ 0.25", "KS D 0.37, p-value 3.1e-12 < 1e-06"]),
            driftColumn("features[1]", verdict: .ok, psi: 0.02, live: nearReference),
            driftColumn("features[2]", verdict: .warn, psi: 0.14, live: slightlyWider, reasons: ["PSI 0.14 ≥ 0.1"]),
            driftColumn("features[3]", verdict: .ok, psi: 0.01, live: nearReference),
        ]
        if candidate {
            columns.append(driftColumn("features[4]", verdict: .notEnoughData, psi: nil, live: nearReference, liveCount: 64,
                                       reasons: ["64 live values < 100"]))
            columns.append(DriftColumnReport(
                name: "label", role: .output, kind: .categorical, verdict: .warn, reasons: ["JS distance 0.13 ≥ 0.1"],
                statistics: DriftStatistics(psi: 0.09, chiSquared: 41.2, chiSquaredPValue: 1.1e-10, jensenShannon: 0.13),
                histogram: DriftHistogram(labels: ["0", "1"], reference: [0.9, 0.1], live: [0.78, 0.22]),
                referenceCount: 200, liveCount: 2214, referenceMissing: 0, liveMissing: 0))
        } else {
            columns.append(DriftColumnReport(
                name: "label", role: .output, kind: .categorical, verdict: .ok, reasons: [],
                statistics: DriftStatistics(psi: 0.01, chiSquared: 2.1, chiSquaredPValue: 0.15, jensenShannon: 0.02),
                histogram: DriftHistogram(labels: ["0", "1"], reference: [0.9, 0.1], live: [0.89, 0.11]),
                referenceCount: 200, liveCount: 8850, referenceMissing: 0, liveMissing: 0))
        }
        return DriftReport(windowSeconds: 600, columns: columns)
    }

    static func rollout(state: RolloutStatus.State = .progressing, failing: Bool = true) -> RolloutStatus {
        RolloutStatus(endpoint: "fraud", stable: v100, candidate: v110,
                      plan: RolloutPlan(strategy: .canary, steps: [5, 20, 50, 100], intervalSeconds: 60),
                      state: state, stepIndex: 1, stepStartedAt: now.addingTimeInterval(-18), startedAt: now.addingTimeInterval(-300),
                      updatedAt: now.addingTimeInterval(-1), startedBy: "alice", checks: [
                          RuleCheck(rule: "error rate", measured: failing ? 0.068 : 0.004, threshold: 0.05, unit: .fraction, verdict: failing ? .failing : .passing),
                          RuleCheck(rule: "error rate vs stable", measured: failing ? 0.068 : 0.004, threshold: 0.027, unit: .fraction, verdict: failing ? .failing : .passing),
                          RuleCheck(rule: "p99 latency", measured: 0.63, threshold: 250, unit: .milliseconds, verdict: .passing),
                          RuleCheck(rule: "p99 vs stable", measured: nil, threshold: 11.24, unit: .milliseconds, verdict: .notEnoughData),
                      ])
    }

    static func fraud(rollout: RolloutStatus? = Fixtures.rollout(), canaryWorkers: Int = 1, weights: (Int, Int) = (80, 20)) -> EndpointStatus {
        EndpointStatus(
            deployment: Deployment(endpoint: "fraud", model: "fraud",
                                   weights: [TrafficWeight(version: v100, weight: weights.0), TrafficWeight(version: v110, weight: weights.1)],
                                   revision: 7, updatedAt: now.addingTimeInterval(-18), updatedBy: "rollout", reason: "step 2 of 4"),
            versions: [
                .init(version: v100, weight: weights.0, readyWorkers: 2, stats: stats("fraud", v100, rps: 30, errorRate: 0.007, p99: 0.62),
                      drift: drift(candidate: false)),
                .init(version: v110, weight: weights.1, readyWorkers: canaryWorkers, stats: stats("fraud", v110, rps: 7.4, errorRate: 0.068, p99: 0.63),
                      drift: drift(candidate: true)),
            ],
            rollout: rollout)
    }

    /// fraud watching 1.1.0 through a blue-green rollout's shadow phase: 1.0.0 serves everything,
    /// 1.1.0 gets a tenth of the requests as copies, users stick by x-user-id and tenant acme is
    /// sent to 1.1.0 outright.
    static func shadowedFraud(agreement: Double = 0.987) -> EndpointStatus {
        var endpoint = fraud(rollout: RolloutStatus(
            endpoint: "fraud", stable: v100, candidate: v110,
            plan: RolloutPlan(strategy: .blueGreen, steps: [0, 100], intervalSeconds: 60, mirrorPercent: 10),
            state: .progressing, stepIndex: 0, stepStartedAt: now.addingTimeInterval(-18), startedAt: now.addingTimeInterval(-18),
            updatedAt: now.addingTimeInterval(-1), startedBy: "alice", checks: [
                RuleCheck(rule: "shadow agreement", measured: agreement, threshold: 0.95, unit: .fraction, verdict: agreement >= 0.95 ? .passing : .failing),
                RuleCheck(rule: "shadow score difference", measured: 0.012, threshold: 0.05, unit: .number, verdict: .passing),
                RuleCheck(rule: "shadow error rate", measured: 0.0024, threshold: 0.05, unit: .fraction, verdict: .passing),
                RuleCheck(rule: "shadow p99 latency", measured: 3.1, threshold: 250, unit: .milliseconds, verdict: .passing),
            ]), weights: (100, 0))
        endpoint.deployment.routing = DeploymentRouting(
            shadow: .init(version: v110, mirrorPercent: 10),
            headerMatches: [.init(header: "x-tenant", value: "acme", version: v110)],
            sticky: .init(header: "x-user-id"))
        endpoint.versions[1].stats = nil
        endpoint.shadow = ShadowStats(endpoint: "fraud", version: v110, mirrored: 1240, dropped: 0, shadowErrors: 3, compared: 1234,
                                      agreementRate: agreement, meanAbsoluteDifference: 0.012,
                                      shadowLatencyMs: LatencySummary(p50: 1.2, p90: 2.2, p95: 2.6, p99: 3.1, max: 4.0),
                                      primaryLatencyMs: LatencySummary(p50: 0.9, p90: 1.8, p95: 2.1, p99: 2.4, max: 3.0))
        return endpoint
    }

    static let churn = EndpointStatus(
        deployment: Deployment(endpoint: "churn", model: "churn", weights: [TrafficWeight(version: SemVer(2, 0, 0), weight: 100)],
                               revision: 2, updatedAt: now.addingTimeInterval(-3600), updatedBy: "bob", reason: "launch"),
        versions: [.init(version: SemVer(2, 0, 0), weight: 100, readyWorkers: 1, stats: stats("churn", SemVer(2, 0, 0), rps: 12, p99: 3.1))],
        rollout: nil)

    static let search = EndpointStatus(
        deployment: Deployment(endpoint: "search", model: "ranker", weights: [TrafficWeight(version: SemVer(3, 1, 0), weight: 100)],
                               revision: 1, updatedAt: now.addingTimeInterval(-7200), updatedBy: "carol"),
        versions: [.init(version: SemVer(3, 1, 0), weight: 100, readyWorkers: 1, stats: nil)],
        rollout: nil)

    static var endpoints: [EndpointStatus] { [churn, fraud(), search] }

    static let workers = [
        WorkerInfo(id: "w1", model: ModelRef(name: "fraud", version: v100), address: "http://127.0.0.1:35193", pid: 101, state: .ready, lastSeen: now),
        WorkerInfo(id: "w2", model: ModelRef(name: "fraud", version: v110), address: "http://127.0.0.1:33803", pid: 102, state: .ready, lastSeen: now),
    ]

    static let models = [
        ModelSummary(name: "fraud", versions: [
            ModelVersionInfo(name: "fraud", version: v100, sha256: String(repeating: "ab", count: 32), sizeBytes: 559, createdAt: now),
            ModelVersionInfo(name: "fraud", version: v110, sha256: String(repeating: "ca", count: 32), sizeBytes: 559, createdAt: now),
        ]),
    ]

    static func event(_ id: Int64, _ kind: ControlEvent.Kind, secondsAgo: Double, endpoint: String? = "fraud", actor: String = "alice",
                      _ message: String) -> ControlEvent {
        ControlEvent(id: id, at: now.addingTimeInterval(-secondsAgo), kind: kind, endpoint: endpoint, actor: actor, message: message)
    }

    static let events = [
        event(1, .versionPushed, secondsAgo: 3600, endpoint: nil, "fraud@1.1.0 pushed (sha256 caca…)"),
        event(2, .rolloutStarted, secondsAgo: 300, "fraud: rollout of 1.1.0 started, canary 5 → 20 → 50 → 100"),
        event(3, .rolloutStep, secondsAgo: 18, actor: "rollout", "fraud: 1.1.0 5% → 20%, 1.0.0 95% → 80%"),
        event(4, .trafficChanged, secondsAgo: 5, endpoint: "churn", actor: "bob", "churn: 2.0.0 100%"),
    ]

    /// The world above, loaded the way the running console would load it.
    static func loadedState(width: Int = 80, height: Int = 24, options: AppState.Options = AppState.Options()) -> AppState {
        var state = AppState(serverAddress: "http://127.0.0.1:7070", options: options, width: width, height: height, now: now)
        // A few seconds of history so the sparklines have a shape.
        for second in 0..<40 {
            state.now = now.addingTimeInterval(Double(second - 40))
            var endpoints = Fixtures.endpoints
            let wave = Double(second % 10)
            endpoints[1].versions[0].stats?.requestsPerSecond = 25 + wave
            endpoints[1].versions[1].stats?.requestsPerSecond = 2 + wave / 2
            endpoints[1].versions[1].stats?.errorRate = second < 25 ? 0.004 : 0.068
            _ = reduce(&state, .endpointsLoaded(.success(endpoints)))
        }
        state.now = now
        _ = reduce(&state, .endpointsLoaded(.success(endpoints)))
        _ = reduce(&state, .workersLoaded(.success(workers)))
        // Two polls ten seconds apart, so CPU use can be told from CPU time.
        for (cpu, uptime) in [(40.0, 590.0), (41.2, 600.0)] {
            _ = reduce(&state, .statsLoaded(workerID: "w1", .success(workerStats(
                "fraud", v100, rps: 30, errorRate: 0.007, p99: 0.62, cpuSeconds: cpu, uptime: uptime, residentMB: 61,
                errors: ["400": 3, "500": 9], batches: ["1": 1100, "2": 260, "3": 90, "4": 40, "7": 12]))))
            _ = reduce(&state, .statsLoaded(workerID: "w2", .success(workerStats(
                "fraud", v110, rps: 7.4, errorRate: 0.068, p99: 0.63, cpuSeconds: cpu / 2, uptime: uptime, residentMB: 58,
                errors: ["500": 28, "503": 2], batches: ["1": 380, "2": 40]))))
        }
        _ = reduce(&state, .modelsLoaded(.success(models)))
        _ = reduce(&state, .eventsLoaded(.success(events)))
        return state
    }
}

/// Presses keys in order, collecting every effect.
@discardableResult
func press(_ state: inout AppState, _ keys: Key...) -> [Effect] {
    keys.flatMap { reduce(&state, .key($0)) }
}

/// Types text one character at a time.
@discardableResult
func type(_ state: inout AppState, _ text: String) -> [Effect] {
    text.flatMap { reduce(&state, .key(.character($0))) }
}
