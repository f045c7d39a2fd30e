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
    var requests = 20_000
    var concurrency = 32
    var latencyRequests = 3_000
    var rounds = 3
    /// `direct` or `gateway`: drive only that path, for a profiler attached to this process.
    var only: String?

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
            default: break
            }
            i += 2
        }
    }
}

let body = #"{"inputs":[{"name":"features","shape":[1,6],"datatype":"FP32","data":[0.5,-1.2,3.3,0.0,2.1,-0.7]}]}"#

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
    workers: [ref.version: [workerURL]])])
let gatewayRouter = Router()
router.addRoutes(to: gatewayRouter)
let gateway = try await HTTPService(router: gatewayRouter, channelHandlers: router.channelHandlers, host: "127.0.0.1", port: 0, logger: logger)

let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                        configuration: TrafficRouter.forwardingConfiguration(connectionsPerWorker: options.concurrency))
let direct = workerURL + "/v2/models/fraud/infer"
let through = "http://127.0.0.1:\(gateway.port)/v2/models/fraud/infer"

if let only = options.only {
    // One path under steady load and nothing printed but its rate: for `perf stat` / `perf record`.
    let url = only == "direct" ? direct : through
    _ = try await drive(client, url: url, total: 2_000, concurrency: options.concurrency)
    let run = try await drive(client, url: url, total: options.requests, concurrency: options.concurrency)
    print(String(format: "%@ only: %.0f req/s over %d requests", only, run.rate, options.requests))
    exit(0)
}

// Warm both paths (connections, allocator, caches) before measuring.
_ = try await drive(client, url: direct, total: 2_000, concurrency: options.concurrency)
_ = try await drive(client, url: through, total: 2_000, concurrency: options.concurrency)

var directRates: [Double] = [], gatewayRates: [Double] = []
var directCPU: [Double] = [], gatewayCPU: [Double] = []
var directP50: [Double] = [], gatewayP50: [Double] = []
for _ in 0..<options.rounds {
    let straight = try await measured(client, url: direct, total: options.requests, concurrency: options.concurrency)
    let relayed = try await measured(client, url: through, total: options.requests, concurrency: options.concurrency)
    directRates.append(straight.rate)
    gatewayRates.append(relayed.rate)
    directCPU.append(straight.cpuMicros)
    gatewayCPU.append(relayed.cpuMicros)
    // Latency one request at a time, so queueing does not hide the hop's own cost.
    directP50.append(median(try await drive(client, url: direct, total: options.latencyRequests, concurrency: 1).latencies))
    gatewayP50.append(median(try await drive(client, url: through, total: options.latencyRequests, concurrency: 1).latencies))
}

let (dr, gr) = (median(directRates), median(gatewayRates))
let (dl, gl) = (median(directP50), median(gatewayP50))
func column(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}
func label(_ text: String) -> String { text.padding(toLength: 30, withPad: " ", startingAt: 0) }
print(label("gateway overhead") + column("direct", 14) + column("via gateway", 14))
print(label("throughput req/s (c=\(options.concurrency))") + column(String(format: "%.0f", dr), 14) + column(String(format: "%.0f", gr), 14)
      + String(format: "   ratio %.2fx (target >= 0.70x)", gr / dr))
print(label("p50 latency µs (c=1)") + column(String(format: "%.1f", dl), 14) + column(String(format: "%.1f", gl), 14)
      + String(format: "   added %.1f µs (target < 100 µs)", gl - dl))
let (dc, gc) = (median(directCPU), median(gatewayCPU))
// The CPU the hop adds per request: steadier than the rates on a shared machine (it does not count
// time spent waiting for a core), and the ratio's ceiling when the path is CPU-bound: dc / gc.
print(label("CPU µs per request (c=\(options.concurrency))") + column(String(format: "%.1f", dc), 14) + column(String(format: "%.1f", gc), 14)
      + String(format: "   gateway adds %.1f µs (CPU-bound ratio %.2fx)", gc - dc, dc / gc))
print("median of \(options.rounds) interleaved rounds; \(options.requests) requests per throughput run, \(options.latencyRequests) per latency run; fraud@1.0.0 on the Nightjar engine, loopback")

await gateway.stop()
await worker.stop()
try await client.shutdown()
try await forwarding.shutdown()
