import AsyncHTTPClient
import Client
import Foundation
import Gateway
import Hummingbird
import Logging
import NIOCore
import NightjarCore
import ServiceSupport
import Testing

/// A gateway running apart from the control plane, over loopback: it routes by the split the control
/// plane holds, and follows a change made there as its event stream announces it.
@Suite struct StandaloneGatewayTests {
    @Test func aStandaloneGatewayRoutesByASplitChangedOnTheServer() async throws {
        let cp = try await RunningControlPlane.start(heartbeatInterval: 600)
        let workers = [try await VersionWorker.start(TrafficTests.v1), try await VersionWorker.start(TrafficTests.v2)]
        for (i, worker) in workers.enumerated() {
            let ref = ModelRef(name: "fraud", version: worker.version)
            _ = try await cp.client.push(ref, artifact: Data("model \(worker.version)".utf8), schema: nil)
            try await cp.client.announce(WorkerAnnouncement(id: "w\(i)", model: ref, address: worker.address, pid: 1))
        }
        let first = try await cp.client.setTraffic("fraud", TrafficChange(weights: TrafficTests.split((TrafficTests.v1, 100)), reason: "launch"))

        // The replica: a viewer token, nothing shared with the control plane but HTTP.
        let viewer = try await cp.client.createToken(name: "replica", role: .viewer).token
        let replica = try await Replica.start(following: cp.server.url, token: viewer)
        let (router, follower, service) = (replica.router, replica.follower, replica.service)
        // Polling so rarely that only the event stream can bring the change within the test's deadline.
        let following = Task { await follower.run(every: .seconds(600)) }
        defer {
            following.cancel()
            Task {
                await service.stop()
                for worker in workers { await worker.service.stop() }
                await cp.stop()
            }
        }

        func answeredBy() async throws -> String {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(service.port)/v2/models/fraud/infer")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: #"{"inputs":[]}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
            let body = try await response.body.collect(upTo: 1 << 20)
            return try JSONDecoder().decode(InferResponse.self, from: Data(body.readableBytesView)).model_version
        }
        /// Waits, bounded, until the replica holds `revision` of fraud.
        func follows(_ revision: Int) async throws -> Bool {
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                if router.routes().first?.deployment.revision == revision { return true }
                try await Task.sleep(for: .milliseconds(20))
            }
            return false
        }

        #expect(try await follows(first.revision))
        for _ in 0..<5 { #expect(try await answeredBy() == "1.0.0") }

        let moved = try await cp.client.setTraffic("fraud", TrafficChange(
            weights: TrafficTests.split((TrafficTests.v1, 0), (TrafficTests.v2, 100)), reason: "all to 1.1.0"))
        #expect(try await follows(moved.revision))
        for _ in 0..<5 { #expect(try await answeredBy() == "1.1.0") }
        #expect(workers[1].requests == 5)
    }

    @Test func aFollowerWithoutAValidTokenSaysWhy() async throws {
        let cp = try await RunningControlPlane.start()
        defer { Task { await cp.stop() } }
        let follower = ControlPlaneFollower(serverURL: cp.server.url, gatewayID: "replica-1", token: "nj_wrong",
                                            router: TrafficRouter(logger: Logger(label: "t")), logger: Logger(label: "t"))
        await #expect {
            try await follower.refresh()
        } throws: { error in
            guard case NightjarError.unavailable(let message) = error else { return false }
            return message.contains("/api/v1/endpoints answered 401") || message.contains("/api/v1/workers answered 401")
        }
    }

    /// What clients saw through a replica counts in the control plane's numbers, merged with the
    /// embedded gateway's: the console and the rollout analysis see every client.
    @Test func aReplicasClientsCountInTheControlPlanesStats() async throws {
        // A control plane whose embedded gateway is a real TrafficRouter, with a worker per version.
        let stack = try await RoutingSettingsTests.Stack.start()
        _ = try await stack.client.setTraffic("fraud", TrafficChange(weights: TrafficTests.split((TrafficTests.v1, 100)), reason: "launch"))
        let operatorToken = try await stack.client.createToken(name: "replica", role: .operator).token
        let replica = try await Replica.start(following: stack.server.url, token: operatorToken)
        let (router, follower, service, logger) = (replica.router, replica.follower, replica.service, replica.logger)
        defer {
            Task {
                await service.stop()
                await stack.stop()
            }
        }
        try await follower.refresh()

        func infer(_ base: String) async throws {
            var request = HTTPClientRequest(url: base + "/v2/models/fraud/infer")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: #"{"inputs":[]}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
            _ = try await response.body.collect(upTo: 1 << 20)
            #expect(response.status == .ok)
        }
        for _ in 0..<7 { try await infer(stack.server.gatewayURL) }
        for _ in 0..<20 { try await infer("http://127.0.0.1:\(service.port)") }
        #expect(try await stack.client.endpoint("fraud").versions.first?.stats?.requestsTotal == 7, "before the replica reported")

        try await follower.sendStats()
        let merged = try #require(try await stack.client.endpoint("fraud").versions.first?.stats)
        // Totals, not the 10 s window: on a loaded machine the requests may have left it already.
        #expect(merged.requestsTotal == 27 && merged.errorsTotal == 0)
        let listed = try await stack.client.gateways()
        #expect(listed.map(\.id) == ["replica-1"] && listed.first?.counted == true)

        // A viewer token routes but may not report: the error says which role is needed.
        let viewer = try await stack.client.createToken(name: "viewer", role: .viewer).token
        let readOnly = ControlPlaneFollower(serverURL: stack.server.url, gatewayID: "replica-2", token: viewer, router: router, logger: logger)
        await #expect {
            try await readOnly.sendStats()
        } throws: { error in
            "\(error)".contains("answered 403") && "\(error)".contains("operator role")
        }
        // A report whose histogram does not add up is refused naming the field, and not counted.
        var report = router.statsReport(gateway: "replica-3")
        report.versions[0].window.seconds[0].counts.removeLast()
        var bad = HTTPClientRequest(url: stack.server.url + "/api/v1/gateways/replica-3/stats")
        bad.method = .POST
        bad.headers.add(name: "Authorization", value: "Bearer \(operatorToken)")
        bad.body = .bytes(ByteBuffer(data: try WireJSON.encoder().encode(report)))
        let refused = try await HTTPClient.shared.execute(bad, timeout: .seconds(20))
        let message = String(buffer: try await refused.body.collect(upTo: 1 << 20))
        #expect(refused.status == .badRequest && message.contains("versions[0].window.seconds[0]"), "\(message)")
        #expect(try await stack.client.gateways().map(\.id) == ["replica-1"])
    }
}

/// A standalone gateway as `nightjar gateway` runs one: its own router and port, following the
/// control plane at `serverURL` as "replica-1".
struct Replica {
    let router: TrafficRouter
    let follower: ControlPlaneFollower
    let service: HTTPService
    let logger: Logger

    static func start(following serverURL: String, token: String) async throws -> Replica {
        var logger = Logger(label: "replica")
        logger.logLevel = .error
        let router = TrafficRouter(logger: logger)
        let follower = ControlPlaneFollower(serverURL: serverURL, gatewayID: "replica-1", token: token, router: router, logger: logger)
        let service = try await router.serve(host: "127.0.0.1", port: 0, logger: logger)
        return Replica(router: router, follower: follower, service: service, logger: logger)
    }
}
