// `make bench`, gateway section: the same load sent straight to a worker and through a
// TrafficRouter in front of it, interleaved in one run so machine noise hits both.
// Prints the throughput ratio (gateway / direct) and the p50 latency the gateway adds.
import AsyncHTTPClient
import Engine
import Foundation
import Gateway
import Hummingbird
import Logging
import NIOCore
import NightjarCore
import ServiceSupport
import Synchronization
import Worker

struct Options {
    var model = "Sources/nightjar/DemoModels/fraud-1.0.0.onnx"
    var requests = 10_000
    var concurrency = 32
    var latencyRequests = 3_000
    var rounds = 7
    /// `direct` or `gateway`: drive only that path, for a profiler attached to this process.
    var only: String?
    /// Start the worker and the gateway, print their ports and serve until killed: for an outside
    /// load generator (wrk) and a profiler attached to this process.
    var serve = false
    /// Route the gateway to this worker (a base URL) instead of the one in this process: with
    /// `--serve yes`, a gateway in a process of its own, so its CPU is the hop's alone.
    var worker: String?

    init(_ arguments: [String]) {
        var i = 1
        while i + 1 < arguments.count {
            let (flag, value) = (arguments[i], arguments[i + 1])
            switch flag {
            case "--model": model = value
            case "--requests": requests = Int(value) ?? requests
            case "--concurrency": concurrency = Int(value) ?? concurrency
            case "--latency-requests": latencyRequests = Int(value) ?? latencyRequests
            case "--rounds": rounds = Int(value) ?? rounds
            case "--only": only = value
            case "--serve": serve = value == "yes"
            case "--worker": worker = value
            default: break
            }
            i += 2
        }
    }
}

/// One OIP request of batch 1 for the model: every declared input, its free dimensions 1, its values
/// 0.5 (or 1 for integer and boolean inputs), so any model with numeric inputs can be the worker's.
func requestBody(for schema: FeatureSchema) throws -> String {
    let inputs = try schema.inputs.map { spec -> String in
        let shape = spec.shape.map { $0 < 0 ? 1 : $0 }
        let value = switch spec.datatype {
        case .fp32, .fp64: "0.5"
        case .bool: "true"
        case .bytes: throw BenchSetupFailure(message: "input '\(spec.name)' takes strings; the gateway bench sends numbers")
        default: "1"
        }
        let data = Array(repeating: value, count: shape.reduce(1, *)).joined(separator: ",")
        return #"{"name":"\#(spec.name)","shape":[\#(shape.map(String.init).joined(separator: ","))],"datatype":"\#(spec.datatype.rawValue)","data":[\#(data)]}"#
    }
    return #"{"inputs":[\#(inputs.joined(separator: ","))]}"#
}

struct BenchSetupFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Sends `total` requests, `concurrency` at a time; returns requests per second and every latency in µs.
func drive(_ client: HTTPClient, url: String, total: Int, concurrency: Int) async throws -> (rate: Double, latencies: [Double]) {
    let next = Ticket()
    let clock = ContinuousClock()
    let start = clock.now
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        for _ in 0..<concurrency {
            group.addTask {
                var mine: [Double] = []
                while true {
                    let index = next.take()
                    guard index < total else { return mine }
                    var request = HTTPClientRequest(url: url)
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(ByteBuffer(string: body))
                    let sent = clock.now
                    let response = try await client.execute(request, timeout: .seconds(30))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    guard response.status == .ok else { throw BenchFailure(status: Int(response.status.code), url: url) }
                    let elapsed = (clock.now - sent).components
                    mine.append(Double(elapsed.seconds) * 1e6 + Double(elapsed.attoseconds) / 1e12)
                }
            }
        }
        var all: [Double] = []
        for try await part in group { all += part }
        return all
    }
    let seconds = (clock.now - start).components
    return (Double(total) / (Double(seconds.seconds) + Double(seconds.attoseconds) / 1e18), latencies)
}

/// Hands out request numbers to the client tasks of one run.
final class Ticket: Sendable {
    private let next = Mutex(0)
    func take() -> Int {
        next.withLock { n in
            defer { n += 1 }
            return n
        }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let status: Int
    let url: String
    var description: String { "\(url) answered \(status)" }
}

/// CPU seconds this process has used (user and system, every thread): client, gateway and worker
/// together, so a run's CPU per request is what the whole path costs the machine.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// A throughput run, with the process's CPU per request during it in µs.
func measured(_ client: HTTPClient, url: String, total: Int, concurrency: Int) async throws -> (rate: Double, cpuMicros: Double) {
    let before = processCPUSeconds()
    let rate = try await drive(client, url: url, total: total, concurrency: concurrency).rate
    return (rate, (processCPUSeconds() - before) / Double(total) * 1e6)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[sorted.count / 2]
}

let options = Options(CommandLine.arguments)
var logger = Logger(label: "gateway-bench") { DeferredMetadataLogHandler(label: $0) }
logger.logLevel = .error

let ref = try ModelRef(parsing: "fraud@1.0.0")
let session = try InferenceSession(modelData: Data(contentsOf: URL(fileURLWithPath: options.model)))
let body = try requestBody(for: session.schema)
let routes = WorkerRoutes(model: ref, servable: EngineServable(session: session), stats: WorkerStats(model: ref))
try routes.warmUp()
let worker = try await HTTPService(router: routes.router(logger: logger), host: "127.0.0.1", port: 0, logger: logger)
let workerURL = "http://127.0.0.1:\(worker.port)"

let forwarding = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                            configuration: TrafficRouter.forwardingConfiguration(connectionsPerWorker: options.concurrency))
let router = TrafficRouter(http: forwarding, logger: logger)
router.update(routes: [EndpointRoute(
    deployment: Deployment(endpoint: "fraud", model: "fraud", weights: [TrafficWeight(version: ref.version, weight: 100)],
                           revision: 1, updatedAt: Date(), updatedBy: "bench"),
    workers: [ref.version: [options.worker ?? workerURL]])])
let gateway = try await router.serve(host: "127.0.0.1", port: 0, logger: logger)

let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                        configuration: TrafficRouter.forwardingConfiguration(connectionsPerWorker: options.concurrency))
let relayPort = try await BareRelay.start(workerPort: worker.port, group: HTTPClient.defaultEventLoopGroup)
let direct = workerURL + "/v2/models/fraud/infer"
let through = "http://127.0.0.1:\(gateway.port)/v2/models/fraud/infer"
let relayed = "http://127.0.0.1:\(relayPort)/v2/models/fraud/infer"

if options.serve {
    FileHandle.standardOutput.write(Data("worker \(worker.port) gateway \(gateway.port) relay \(relayPort)\n".utf8))
    while true { try await Task.sleep(for: .seconds(3600)) }
}

if let only = options.only {
    // One path under steady load and nothing printed but its rate: for `perf stat` / `perf record`.
    let url = switch only {
    case "direct": direct
    case "relay": relayed
    default: through
    }
    _ = try await drive(client, url: url, total: 2_000, concurrency: options.concurrency)
    let run = try await drive(client, url: url, total: options.requests, concurrency: options.concurrency)
    print(String(format: "%@ only: %.0f req/s over %d requests", only, run.rate, options.requests))
    exit(0)
}

/// One way to the worker, measured round after round.
struct Path {
    let url: String
    var rates: [Double] = []
    var cpu: [Double] = []
    var p50: [Double] = []
}
var paths = [Path(url: direct), Path(url: through), Path(url: relayed)]

// Warm every path (connections, allocator, caches) before measuring.
for path in paths {
    _ = try await drive(client, url: path.url, total: 2_000, concurrency: options.concurrency)
}
// Each round measures every path back to back, starting from a different one each time, and the
// ratios are taken within a round: this machine's speed drifts by tens of percent over a minute,
// and a drift between two paths' runs would read as overhead.
for round in 0..<options.rounds {
    for k in paths.indices {
        let i = (k + round) % paths.count
        let run = try await measured(client, url: paths[i].url, total: options.requests, concurrency: options.concurrency)
        paths[i].rates.append(run.rate)
        paths[i].cpu.append(run.cpuMicros)
    }
    // Latency one request at a time, so queueing does not hide the hop's own cost.
    for k in paths.indices {
        let i = (k + round) % paths.count
        paths[i].p50.append(median(try await drive(client, url: paths[i].url, total: options.latencyRequests, concurrency: 1).latencies))
    }
}

func column(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}
func label(_ text: String) -> String { text.padding(toLength: 30, withPad: " ", startingAt: 0) }
func row(_ name: String, _ values: [Double], _ format: String) -> String {
    label(name) + values.map { column(String(format: format, $0), 13) }.joined()
}
/// Per round, path `i` against the direct path; the median and the range over the rounds.
func paired(_ path: Path, _ direct: Path, _ values: KeyPath<Path, [Double]>, _ compare: (Double, Double) -> Double) -> (median: Double, low: Double, high: Double) {
    let each = zip(path[keyPath: values], direct[keyPath: values]).map { compare($0, $1) }
    return (median(each), each.min() ?? 0, each.max() ?? 0)
}
let ratio = { (path: Double, direct: Double) in path / direct }
let added = { (path: Double, direct: Double) in path - direct }
let cpuRatio = { (path: Double, direct: Double) in direct / path }
print(label("gateway overhead") + column("direct", 13) + column("via gateway", 13) + column("bare relay", 13))
let (gr, rr) = (paired(paths[1], paths[0], \.rates, ratio), paired(paths[2], paths[0], \.rates, ratio))
print(row("throughput req/s (c=\(options.concurrency))", paths.map { median($0.rates) }, "%.0f")
      + String(format: "   gateway %.2fx [%.2f–%.2f] (target >= 0.70x), bare relay %.2fx", gr.median, gr.low, gr.high, rr.median))
let (gl, rl) = (paired(paths[1], paths[0], \.p50, added), paired(paths[2], paths[0], \.p50, added))
print(row("p50 latency µs (c=1)", paths.map { median($0.p50) }, "%.1f")
      + String(format: "   gateway adds %.0f µs [%.0f–%.0f] (target < 100 µs), bare relay %.0f µs", gl.median, gl.low, gl.high, rl.median))
// The CPU a hop adds per request: it does not count time spent waiting for a core, and when the
// path is CPU-bound, direct / path is the throughput ratio's ceiling.
let (gc, rc) = (paired(paths[1], paths[0], \.cpu, added), paired(paths[2], paths[0], \.cpu, added))
print(row("CPU µs per request (c=\(options.concurrency))", paths.map { median($0.cpu) }, "%.1f")
      + String(format: "   gateway adds %.1f µs (CPU-bound ratio %.2fx), bare relay %.1f µs (%.2fx)",
               gc.median, paired(paths[1], paths[0], \.cpu, cpuRatio).median, rc.median, paired(paths[2], paths[0], \.cpu, cpuRatio).median))
print("medians over \(options.rounds) rounds of paired runs [lowest–highest round]; \(options.requests) requests per throughput run, \(options.latencyRequests) per latency run; \(URL(fileURLWithPath: options.model).lastPathComponent) on the Nightjar engine, loopback")
print("bare relay: SwiftNIO's HTTP/1 codecs both sides, one worker connection per client connection, nothing else (BareRelay.swift)")

await gateway.stop()
await worker.stop()
try await client.shutdown()
try await forwarding.shutdown()
