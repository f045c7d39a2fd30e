import AsyncHTTPClient
import Foundation
import Gateway
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NightjarCore
import ServiceSupport
import Synchronization

/// A `TrafficRouter` served on its own 127.0.0.1 port, as the control plane serves it.
struct RunningGateway {
    let router: TrafficRouter
    let service: HTTPService
    var baseURL: String { "http://127.0.0.1:\(service.port)" }

    /// The test's own client: enough connections that the load tests are not queued by the client,
    /// and a connect timeout a loaded CI machine cannot hit (the gateway's 1 s once timed out the
    /// test's connection to the gateway itself).
    static let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                   configuration: TrafficRouter.forwardingConfiguration(connectTimeout: .seconds(15), connectionsPerWorker: 32))

    static func start(_ routes: [EndpointRoute], configuration: TrafficRouter.Configuration = .init()) async throws -> RunningGateway {
        var logger = Logger(label: "gateway-test")
        logger.logLevel = .error
        let router = TrafficRouter(configuration: configuration, logger: logger)
        router.update(routes: routes)
        let service = try await router.serve(host: "127.0.0.1", port: 0, logger: logger)
        return RunningGateway(router: router, service: service)
    }

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
        var version: String? { headers["nightjar-model-version"] }
        var error: String? { try? JSONDecoder().decode(ErrorBody.self, from: Data(body.utf8)).error }
    }

    func post(_ path: String, body: String = GatewayFixtures.inferBody, headers: [String: String] = [:]) async throws -> Reply {
        try await send(path, method: .POST, body: body, headers: headers)
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> Reply {
        try await send(path, method: .GET, body: nil, headers: headers)
    }

    private func send(_ path: String, method: HTTPMethod, body: String?, headers: [String: String]) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await Self.client.execute(request, timeout: .seconds(20))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        var fields: [String: String] = [:]
        for (name, value) in response.headers { fields[name.lowercased()] = value }
        return Reply(status: Int(response.status.code), headers: fields, body: String(buffer: bytes))
    }
}

enum GatewayFixtures {
    static let inferBody = #"{"id":"r-1","inputs":[{"name":"features","shape":[1,2],"datatype":"FP32","data":[0.5,1.5]}]}"#

    static func deployment(_ weights: [(String, Int)], endpoint: String = "fraud", model: String = "fraud") throws -> Deployment {
        Deployment(endpoint: endpoint, model: model,
                   weights: try weights.map { TrafficWeight(version: try SemVer(parsing: $0.0), weight: $0.1) },
                   revision: 1, updatedAt: Date(), updatedBy: "test")
    }

    static func route(_ weights: [(String, Int)], workers: [FakeWorker], endpoint: String = "fraud", model: String = "fraud",
                      shadow: ShadowRoute? = nil) throws -> EndpointRoute {
        EndpointRoute(deployment: try deployment(weights, endpoint: endpoint, model: model),
                      workers: Dictionary(grouping: workers, by: \.version).mapValues { $0.map(\.baseURL) },
                      shadow: shadow)
    }
}

/// Outcomes of a load run, shared by its client tasks.
final class LoadTally: Sendable {
    struct Counts: Sendable {
        var ok = 0
        var failed = 0
        var byVersion: [String: Int] = [:]
        var failures: [String] = []
        var done: Int { ok + failed }
    }

    private let counts = Mutex(Counts())
    private let stopping = Mutex(false)
    private let issued = Mutex(0)

    func record(_ reply: RunningGateway.Reply) {
        counts.withLock { c in
            if reply.status == 200 {
                c.ok += 1
                c.byVersion[reply.version ?? "?", default: 0] += 1
            } else {
                c.failed += 1
                if c.failures.count < 10 { c.failures.append("\(reply.status) \(reply.body)") }
            }
        }
    }

    func record(_ error: any Error) {
        counts.withLock { c in
            c.failed += 1
            if c.failures.count < 10 { c.failures.append("\(error)") }
        }
    }

    var snapshot: Counts { counts.withLock { $0 } }
    func stop() { stopping.withLock { $0 = true } }
    var stopped: Bool { stopping.withLock { $0 } }

    /// Sends `total` requests (or until `stop()`), `concurrency` at a time, recording each outcome.
    func drive(_ gateway: RunningGateway, total: Int, concurrency: Int, path: String = "/v2/models/fraud/infer") async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while !self.stopped {
                        let index = self.issued.withLock { n in
                            defer { n += 1 }
                            return n
                        }
                        guard index < total else { return }
                        do { self.record(try await gateway.post(path)) } catch { self.record(error) }
                    }
                }
            }
        }
    }
}
