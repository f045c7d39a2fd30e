// Times a full-frame render of the console at 200x60: `nightjar-console-bench [ITERATIONS]`.
// Prints one JSON line with µs per frame for each view ({"overview_us": …, …}); the target is
// under 1000 µs for every view. The state is built outside the timed loop.
import Console
import Foundation
import NightjarCore

let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 0 : 2000
guard iterations > 0 else {
    FileHandle.standardError.write(Data("usage: nightjar-console-bench [ITERATIONS]\n".utf8))
    exit(2)
}

let start = Date(timeIntervalSince1970: 1_800_000_000)
let stable = SemVer(1, 0, 0)
let candidate = SemVer(1, 1, 0)

func stats(_ name: String, _ version: SemVer, rps: Double, errorRate: Double) -> StatsSnapshot {
    StatsSnapshot(model: ModelRef(name: name, version: version), requestsTotal: 10_000, errorsTotal: 12, windowSeconds: 10,
                  requestsPerSecond: rps, errorRate: errorRate,
                  latencyMs: LatencySummary(p50: 0.4, p90: 0.7, p95: 0.9, p99: 1.4, max: 3), uptimeSeconds: 3600)
}

/// 30 endpoints, a canary rollout on each, five minutes of history, 40 workers, 500 events.
func world(at now: Date) -> [EndpointStatus] {
    (0..<30).map { i in
        let name = "model-\(i)"
        let rollout = RolloutStatus(endpoint: name, stable: stable, candidate: candidate,
                                    plan: RolloutPlan(strategy: .canary, steps: [5, 20, 50, 100], intervalSeconds: 60),
                                    state: .progressing, stepIndex: 1, stepStartedAt: now.addingTimeInterval(-10), startedAt: now,
                                    updatedAt: now, startedBy: "bench", checks: [
                                        RuleCheck(rule: "error rate", measured: 0.01, threshold: 0.05, unit: .fraction, verdict: .passing),
                                        RuleCheck(rule: "p99 latency", measured: 1.4, threshold: 250, unit: .milliseconds, verdict: .passing),
                                    ])
        return EndpointStatus(
            deployment: Deployment(endpoint: name, model: name, weights: [TrafficWeight(version: stable, weight: 80), TrafficWeight(version: candidate, weight: 20)],
                                   revision: 3, updatedAt: now, updatedBy: "bench"),
            versions: [
                .init(version: stable, weight: 80, readyWorkers: 2, stats: stats(name, stable, rps: 40 + Double(i), errorRate: 0.001)),
                .init(version: candidate, weight: 20, readyWorkers: 1, stats: stats(name, candidate, rps: 10, errorRate: Double(i % 7) / 100)),
            ],
            rollout: rollout)
    }
}

var state = AppState(serverAddress: "http://127.0.0.1:7070", width: 200, height: 60, now: start)
for second in 0..<300 {
    state.now = start.addingTimeInterval(Double(second))
    _ = reduce(&state, .endpointsLoaded(.success(world(at: state.now))))
}
let workers = (0..<40).map { i in
    WorkerInfo(id: "w\(i)", model: ModelRef(name: "model-\(i % 30)", version: i % 2 == 0 ? stable : candidate),
               address: "http://127.0.0.1:\(40000 + i)", pid: Int32(1000 + i), state: .ready, lastSeen: start)
}
_ = reduce(&state, .workersLoaded(.success(workers)))
for (i, worker) in workers.enumerated() {
    for _ in 0..<60 { _ = reduce(&state, .statsLoaded(workerID: worker.id, .success(stats(worker.model.name, worker.model.version, rps: Double(i), errorRate: 0)))) }
}
let events = (1...500).map { i in
    ControlEvent(id: Int64(i), at: start.addingTimeInterval(Double(i)), kind: .trafficChanged, endpoint: "model-\(i % 30)",
                 actor: "bench", message: "model-\(i % 30): 1.1.0 5% → 20%, 1.0.0 95% → 80%")
}
_ = reduce(&state, .eventsLoaded(.success(events)))

func time(_ state: AppState) -> Double {
    var checksum = 0
    for _ in 0..<min(100, iterations) { checksum &+= Screen.render(state).width }
    let clock = ContinuousClock()
    let begin = clock.now
    for _ in 0..<iterations { checksum &+= Screen.render(state).cells.count }
    let elapsed = clock.now - begin
    if checksum == 42 { print("") }  // keeps the renders from being optimised away
    return (Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12) / Double(iterations)
}

let overview = time(state)
var endpointView = state
_ = reduce(&endpointView, .key(.enter))
let endpoint = time(endpointView)
var eventsView = state
for key in ":events".map(Key.character) + [.enter] { _ = reduce(&eventsView, .key(key)) }
let timeline = time(eventsView)
print(String(format: "{\"overview_us\": %.1f, \"endpoint_us\": %.1f, \"events_us\": %.1f, \"width\": 200, \"height\": 60, \"iterations\": %d}",
             overview, endpoint, timeline, iterations))
