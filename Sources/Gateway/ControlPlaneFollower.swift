import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NightjarCore
import ServiceSupport

/// Keeps a standalone gateway's routing table in step with a control plane, so gateways can run as
/// stateless replicas: it reads the endpoints (splits and routing settings) and the ready workers
/// over the control plane's API, builds the routes the embedded gateway would get, and hands them to
/// the router when they differ. It reads whenever the control plane's event stream announces a
/// change (a shift, a rollout step, a worker joining or going quiet), and every `interval` besides,
/// which also catches what no event announces and covers a stream that is down.
///
/// When the control plane cannot be reached the last table stays in force: a replica keeps serving
/// what it knew rather than refusing every request while the control plane restarts.
///
/// Every `interval` it also sends what its clients saw (`GatewayStatsReport`) to the control plane,
/// which merges it with the embedded gateway's numbers for rollout analysis and the console.
public struct ControlPlaneFollower: Sendable {
    public let serverURL: String
    /// This replica's name in its stats reports.
    public let gatewayID: String
    let token: String?
    let router: TrafficRouter
    let http: HTTPClient
    let logger: Logger

    public init(serverURL: String, gatewayID: String, token: String?, router: TrafficRouter, http: HTTPClient = .shared, logger: Logger) {
        self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        self.gatewayID = gatewayID
        self.token = token
        self.router = router
        self.http = http
        self.logger = logger
    }

    /// Follows until cancelled.
    public func run(every interval: Duration) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await poll(every: interval) }
            group.addTask { await followEvents(retryEvery: interval) }
            group.addTask { await reportStats(every: interval) }
        }
    }

    private func reportStats(every interval: Duration) async {
        var failing = false
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            do {
                try await sendStats()
                if failing { logger.notice("control plane \(serverURL) takes this gateway's stats again") }
                failing = false
            } catch {
                if !failing { logger.error("cannot report stats to \(serverURL): \(error); rollout analysis does not see this gateway's clients") }
                failing = true
            }
        }
    }

    /// Sends one stats report: `POST /api/v1/gateways/{id}/stats` (operator role).
    public func sendStats() async throws {
        let report = router.statsReport(gateway: gatewayID)
        let path = "/api/v1/gateways/\(gatewayID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? gatewayID)/stats"
        var request = HTTPClientRequest(url: serverURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(data: try WireJSON.encoder().encode(report)))
        let response = try await http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .noContent || response.status == .ok else {
            let message = StructuredErrorBody.message(in: Data(body.readableBytesView)) ?? "HTTP \(response.status.code)"
            let hint = response.status == .forbidden ? " (the gateway's token needs the operator role to report stats)" : ""
            throw NightjarError.unavailable("POST \(serverURL)\(path) answered \(response.status.code): \(message)\(hint)")
        }
    }

    private func poll(every interval: Duration) async {
        var failing = false
        while !Task.isCancelled {
            do {
                try await refresh()
                if failing { logger.notice("control plane \(serverURL) answers again; routes are current") }
                failing = false
            } catch {
                // Said once per outage, not twice a second.
                if !failing { logger.error("cannot read routes from \(serverURL): \(error); serving the last ones known") }
                failing = true
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Reads the control plane's Server-Sent Events and refreshes after every batch that brings an
    /// event, resuming after the last id seen when the stream ends or breaks. The first connection
    /// replays the timeline, which costs a few refreshes once.
    private func followEvents(retryEvery interval: Duration) async {
        var last: Int64 = 0
        while !Task.isCancelled {
            do {
                var request = HTTPClientRequest(url: serverURL + "/api/v1/events?after=\(last)")
                if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
                let response = try await http.execute(request, timeout: .hours(1))
                guard response.status == .ok else { throw NightjarError.unavailable("events answered \(response.status.code)") }
                var partial = ""
                for try await chunk in response.body {
                    let (newest, rest) = Self.lastEventID(in: partial + String(buffer: chunk))
                    partial = rest
                    guard let newest, newest > last else { continue }
                    last = newest
                    _ = try? await refresh()
                }
            } catch {
                // The poll loop reports outages; here it is enough to try again later.
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// The highest `id:` among the complete lines of `text`, and the incomplete line left at its end.
    static func lastEventID(in text: String) -> (Int64?, String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let rest = lines.popLast().map(String.init) ?? ""
        let ids = lines.compactMap { $0.hasPrefix("id: ") ? Int64($0.dropFirst(4)) : nil }
        return (ids.max(), rest)
    }

    /// One read of the control plane; the router gets the routes when they changed. Returns them.
    @discardableResult
    public func refresh() async throws -> [EndpointRoute] {
        async let endpoints = get([EndpointStatus].self, "/api/v1/endpoints")
        async let workers = get([WorkerInfo].self, "/api/v1/workers")
        let ready = Dictionary(grouping: try await workers.filter { $0.state == .ready }, by: \.model).mapValues { $0.map(\.address) }
        let routes = try await endpoints.map { status in
            let d = status.deployment
            return EndpointRoute(deployment: d) { ready[ModelRef(name: d.model, version: $0)] ?? [] }
        }.sorted { $0.endpoint < $1.endpoint }
        if routes != router.routes() { router.update(routes: routes) }
        return routes
    }

    private func get<T: Decodable>(_ type: T.Type, _ path: String) async throws -> T {
        var request = HTTPClientRequest(url: serverURL + path)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .seconds(10))
            body = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw NightjarError.unavailable("cannot reach the control plane at \(serverURL) (\(error)); check --server and that it runs")
        }
        guard response.status == .ok else {
            let message = StructuredErrorBody.message(in: Data(body.readableBytesView)) ?? "HTTP \(response.status.code)"
            throw NightjarError.unavailable("GET \(serverURL)\(path) answered \(response.status.code): \(message)")
        }
        do {
            return try WireJSON.decoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw NightjarError.corrupt("GET \(serverURL)\(path) answered JSON this gateway cannot read: \(error)")
        }
    }
}
