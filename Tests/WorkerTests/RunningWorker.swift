import AsyncHTTPClient
import Engine
import Foundation
import Logging
import NIOHTTP1
import NightjarCore
import ServiceSupport
import Worker

/// A worker on 127.0.0.1, as `nightjar worker` runs it: the bundled demo model by default.
struct RunningWorker {
    let service: HTTPService
    let routes: WorkerRoutes
    var stats: WorkerStats { routes.stats }
    var ref: ModelRef { routes.model }
    var baseURL: String { "http://127.0.0.1:\(service.port)" }

    static let modelFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/nightjar/DemoModels/fraud-1.0.0.onnx")

    static func fraudModel() throws -> EngineServable {
        EngineServable(session: try InferenceSession(modelData: Data(contentsOf: modelFile)))
    }

    /// Starts serving; ready once warmed up unless `warmUp` is false.
    static func start(options: WorkerOptions = .init(maxBodyBytes: 1 << 20), servable: (any ServableModel)? = nil,
                      model: String = "fraud@1.0.0", warmUp: Bool = true,
                      observers: [any PredictionObserver] = []) async throws -> RunningWorker {
        let ref = try ModelRef(parsing: model)
        let routes = WorkerRoutes(model: ref, servable: try servable ?? fraudModel(), stats: WorkerStats(model: ref),
                                  options: options, observers: observers)
        let logger = Logger(label: "test")
        let service = try await HTTPService(router: routes.router(logger: logger), host: "127.0.0.1", port: 0, logger: logger)
        if warmUp { try routes.warmUp() }
        return RunningWorker(service: service, routes: routes)
    }

    func stop() async {
        _ = await routes.drain(timeout: .seconds(5))
        await service.stop()
    }

    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: String
        var version: String? { headers.first(name: "Nightjar-Model-Version") }
        func error() throws -> String { try JSONDecoder().decode(ErrorBody.self, from: Data(body.utf8)).error }
    }

    /// Posts a raw body and returns status, headers and body.
    func post(_ path: String, body: String, contentType: String = "application/json") async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(.init(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 8 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: data))
    }

    /// Posts raw bytes with extra headers (the binary tensor extension) and returns the raw answer.
    func post(_ path: String, bytes: [UInt8], headers: [(String, String)]) async throws -> (status: Int, headers: HTTPHeaders, body: [UInt8]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(.init(bytes: bytes))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 8 << 20)
        return (Int(response.status.code), response.headers, Array(data.readableBytesView))
    }

    /// The old shape the first tests use.
    func post(_ path: String, json: String) async throws -> (status: Int, version: String?, body: String) {
        let a = try await post(path, body: json)
        return (a.status, a.version, a.body)
    }

    func get(_ path: String) async throws -> (status: Int, body: String) {
        let a = try await getAnswer(path)
        return (a.status, a.body)
    }

    func getAnswer(_ path: String) async throws -> Answer {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: baseURL + path), timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 8 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: data))
    }

    /// An OIP request body for the fraud model with the given rows of 6 features.
    static func fraudRequest(_ rows: [[Double]], id: String? = nil) -> String {
        let data = rows.map { "[" + $0.map { String($0) }.joined(separator: ",") + "]" }.joined(separator: ",")
        let idPart = id.map { #""id":"\#($0)","# } ?? ""
        return #"{\#(idPart)"inputs":[{"name":"features","shape":[\#(rows.count),6],"datatype":"FP32","data":[\#(data)]}]}"#
    }
}
