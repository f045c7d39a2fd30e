// `make bench`, rollback section: how long a failing canary keeps failing users.
//
// Real processes on loopback, as in production: `nightjar server` (control plane with its gateway)
// and two `nightjar worker`s, the candidate started with `--inject-error-rate 1` after a delay. A
// canary rollout gives the candidate 50%; steady load goes through the gateway. Measured per round:
// from the first failed answer a client saw to (a) the server's deployment showing 100% stable and
// (b) the last answer the candidate served. Target (issue #7): under 2 s.
import AsyncHTTPClient
import Client
import Engine
import Foundation
import NIOCore
import NightjarCore
import Synchronization

struct Options {
    var binary = ".build/release/nightjar"
    var model = "Sources/nightjar/DemoModels/fraud-1.0.0.onnx"
    var rate = 200.0
    var rounds = 3
    var faultAfterSeconds = 8.0

    init(_ arguments: [String]) {
        var i = 1
        while i + 1 < arguments.count {
            let (flag, value) = (arguments[i], arguments[i + 1])
            switch flag {
            case "--binary": binary = value
            case "--model": model = value
            case "--rate": rate = Double(value) ?? rate
            case "--rounds": rounds = Int(value) ?? rounds
            case "--fault-after": faultAfterSeconds = Double(value) ?? faultAfterSeconds
            default: FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8)); exit(2)
            }
            i += 2
        }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A child process whose output goes to a log file in the round's home.
final class Child: Sendable {
    let process: Process
    let log: URL

    init(_ binary: String, _ arguments: [String], log: URL) throws {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        self.log = log
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// What the load generator saw: one entry per answer.
struct Answer: Sendable {
    let at: ContinuousClock.Instant
    let version: String
    let failed: Bool
}

final class Answers: Sendable {
    private let list = Mutex<[Answer]>([])
    func add(_ answer: Answer) { list.withLock { $0.append(answer) } }
    var all: [Answer] { list.withLock { $0 } }
}

let body = #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":[0.5,-1.2,3.3,0.0,2.1,-0.7]}]}"#

func waitFor<T>(_ what: String, timeout: Double, _ probe: () async -> T?) async throws -> T {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if let value = await probe() { return value }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw BenchFailure("timed out after \(timeout) s waiting for \(what)")
}

/// Sends requests at `rate` per second through the gateway until cancelled.
func load(_ http: HTTPClient, url: String, rate: Double, into answers: Answers) async {
    let clock = ContinuousClock()
    let interval = Duration.seconds(1 / rate)
    var next = clock.now
    await withTaskGroup(of: Void.self) { group in
        while !Task.isCancelled {
            next += interval
            try? await Task.sleep(until: next, clock: clock)
            group.addTask {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
                do {
                    let response = try await http.execute(request, timeout: .seconds(10))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    answers.add(Answer(at: clock.now, version: response.headers.first(name: "Nightjar-Model-Version") ?? "?",
                                       failed: response.status.code >= 500))
                } catch {
                    answers.add(Answer(at: clock.now, version: "?", failed: true))
                }
            }
        }
        group.cancelAll()
    }
}

struct RoundResult {
    let toRolledBack: Duration
    let toLastCandidateAnswer: Duration
    let failedAnswers: Int
    let rule: String
}

func round(_ options: Options, http: HTTPClient) async throws -> RoundResult {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-rollback-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    var children: [Child] = []
    defer {
        children.reversed().forEach { $0.stop() }
        try? FileManager.default.removeItem(at: home)
    }
    let server = try Child(options.binary, ["server", "--auth", "off", "--port", "0", "--gateway-port", "0", "--home", home.path],
                           log: home.appendingPathComponent("server.log"))
    children.append(server)
    let urls = try await waitFor("the server to start", timeout: 30) { () -> (api: String, gateway: String)? in
        let text = server.output
        guard let api = text.range(of: #"API on (http://[0-9.:]+)"#, options: .regularExpression),
              let gateway = text.range(of: #"gateway on (http://[0-9.:]+)"#, options: .regularExpression) else { return nil }
        return (String(text[api].dropFirst("API on ".count)), String(text[gateway].dropFirst("gateway on ".count)))
    }
    let client = ServerClient(baseURL: urls.api, actor: "rollback-bench")
    let stable = SemVer(1, 0, 0), candidate = SemVer(1, 1, 0)
    let artifact = try Data(contentsOf: URL(fileURLWithPath: options.model))
    let schema = try InferenceSession(modelData: artifact).schema
    for version in [stable, candidate] {
        _ = try await client.push(ModelRef(name: "fraud", version: version), artifact: artifact, schema: schema,
                                  metadata: VersionMetadata(description: "rollback bench"))
    }
    children.append(try Child(options.binary, ["worker", "--model", "fraud@\(stable)", "--server", urls.api],
                              log: home.appendingPathComponent("stable.log")))
    children.append(try Child(options.binary, ["worker", "--model", "fraud@\(candidate)", "--server", urls.api,
                                               "--inject-error-rate", "1", "--inject-after-seconds", String(options.faultAfterSeconds)],
                              log: home.appendingPathComponent("candidate.log")))
    _ = try await waitFor("both workers ready", timeout: 60) { () -> Bool? in
        let workers = (try? await client.workers()) ?? []
        return workers.filter { $0.state == .ready }.count == 2 ? true : nil
    }
    _ = try await client.setTraffic("fraud", TrafficChange(model: "fraud", weights: [TrafficWeight(version: stable, weight: 100)],
                                                           reason: "bench: stable"))
    _ = try await client.startRollout("fraud", RolloutStart(candidate: candidate,
                                                            plan: RolloutPlan(strategy: .canary, steps: [50, 100], intervalSeconds: 3600),
                                                            reason: "bench: canary that will fail"))

    let answers = Answers()
    let loader = Task { await load(http, url: "\(urls.gateway)/v2/models/fraud/infer", rate: options.rate, into: answers) }
    defer { loader.cancel() }
    let clock = ContinuousClock()
    let rolledBack = try await waitFor("the automatic rollback", timeout: options.faultAfterSeconds + 60) { () -> (ContinuousClock.Instant, String)? in
        guard let status = try? await client.endpoint("fraud"), status.deployment.weight(of: candidate) == 0 else { return nil }
        return (clock.now, status.rollout?.reason ?? "?")
    }
    try await Task.sleep(for: .seconds(1))
    loader.cancel()
    _ = await loader.value

    let seen = answers.all
    guard let firstBad = seen.filter({ $0.failed }).map(\.at).min() else {
        throw BenchFailure("the rollout was rolled back before any client saw a failure (\(rolledBack.1))")
    }
    let lastCandidate = seen.filter { $0.version == candidate.description }.map(\.at).max() ?? firstBad
    return RoundResult(toRolledBack: rolledBack.0 - firstBad, toLastCandidateAnswer: lastCandidate - firstBad,
                       failedAnswers: seen.filter(\.failed).count, rule: rolledBack.1)
}

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

let options = Options(CommandLine.arguments)
let http = HTTPClient(eventLoopGroupProvider: .singleton)
var results: [RoundResult] = []
do {
    for i in 1...options.rounds {
        let result = try await round(options, http: http)
        results.append(result)
        print(String(format: "round %d: first failed answer → 100%% stable %6.0f ms, → last candidate answer %6.0f ms, %d failed answers (%@)",
                     i, milliseconds(result.toRolledBack), milliseconds(result.toLastCandidateAnswer), result.failedAnswers, result.rule))
    }
} catch {
    print("rollback bench failed: \(error)")
    exit(1)
}
try await http.shutdown()
let sorted = results.map { milliseconds($0.toRolledBack) }.sorted()
let median = sorted[sorted.count / 2]
print(String(format: "time from first bad response to 100%% stable: median %.0f ms over %d rounds at %.0f req/s (target < 2000 ms: %@)",
             median, results.count, options.rate, median < 2000 ? "met" : "MISSED"))
