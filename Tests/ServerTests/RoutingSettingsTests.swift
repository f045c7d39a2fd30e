import AsyncHTTPClient
import Client
import Foundation
import Gateway
import Logging
import NIOCore
import NightjarCore
import Registry
import Server
import Testing

/// Routing settings set through the API take effect in the embedded gateway, over real sockets: a
/// shadow gets copies, a sticky header keeps each client on one version, a header rule pins a tenant.
@Suite struct RoutingSettingsTests {
    static let v1 = SemVer(1, 0, 0)
    static let v2 = SemVer(1, 1, 0)
    static let v3 = SemVer(1, 2, 0)

    /// A control plane whose data plane is a real `TrafficRouter` on its gateway port, a real SQLite
    /// file, and one worker per version, pushed and announced.
    struct Stack {
        let home: URL
        let server: ControlPlaneServer
        let router: TrafficRouter
        let client: ServerClient
        let workers: [SemVer: VersionWorker]

        static func start() async throws -> Stack {
            let home = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-routing-\(UUID().uuidString)")
            var logger = Logger(label: "test")
            logger.logLevel = .error
            let router = TrafficRouter(logger: logger)
            var configuration = ControlPlaneServer.Configuration()
            configuration.port = 0
            configuration.gatewayPort = 0
            configuration.controlInterval = .milliseconds(50)
            // Workers announce once; they must stay ready however slow the machine is.
            configuration.heartbeatInterval = 600
            configuration.tokenFile = home.appendingPathComponent("token")
            let server = try await ControlPlaneServer.start(
                store: try SQLiteRegistry(home: home), dataPlane: router, configuration: configuration, logger: logger)
            let token = try String(contentsOf: home.appendingPathComponent("token"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let client = ServerClient(baseURL: server.url, token: token)
            var workers: [SemVer: VersionWorker] = [:]
            for (i, version) in [v1, v2, v3].enumerated() {
                let worker = try await VersionWorker.start(version)
                workers[version] = worker
                let ref = ModelRef(name: "fraud", version: version)
                _ = try await client.push(ref, artifact: Data("model \(version)".utf8), schema: nil)
                try await client.announce(WorkerAnnouncement(id: "w\(i)", model: ref, address: worker.address, pid: 1))
            }
            return Stack(home: home, server: server, router: router, client: client, workers: workers)
        }

        /// One inference through the gateway; the version that answered.
        func infer(_ headers: [String: String] = [:], body: String? = nil) async throws -> String {
            var request = HTTPClientRequest(url: server.gatewayURL + "/v2/models/fraud/infer")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(string: body ?? #"{"inputs":[{"name":"features","shape":[1,1],"datatype":"FP32","data":[1]}]}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok else {
                throw NightjarError.unavailable("gateway answered \(response.status.code): \(String(buffer: body))")
            }
            return try JSONDecoder().decode(InferResponse.self, from: Data(body.readableBytesView)).model_version
        }

        /// One MLflow scoring request through the gateway's endpoint-in-path form; the version that answered.
        func invoke(_ json: String) async throws -> String {
            var request = HTTPClientRequest(url: server.gatewayURL + "/endpoints/fraud/invocations")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok, let version = response.headers.first(name: "Nightjar-Model-Version") else {
                throw NightjarError.unavailable("gateway answered \(response.status.code): \(String(buffer: body))")
            }
            return version
        }

        func stop() async {
            await server.stop()
            for worker in workers.values { await worker.service.stop() }
            try? FileManager.default.removeItem(at: home)
        }
    }

    @Test func aConfiguredShadowIsMirroredAndAStickyKeyIsHonouredThroughTheGateway() async throws {
        let stack = try await Stack.start()
        defer { Task { await stack.stop() } }
        let routing = DeploymentRouting(shadow: .init(version: Self.v3, mirrorPercent: 100), sticky: .init(header: "x-user-id"))
        let deployment = try await stack.client.setTraffic("fraud", TrafficChange(
            weights: [TrafficWeight(version: Self.v1, weight: 50), TrafficWeight(version: Self.v2, weight: 50)],
            reason: "watch 1.2.0", routing: routing))
        #expect(deployment.routing == routing)

        // Every user keeps the version its key hashes to, request after request; across users both serve.
        var answered: [String: Int] = [:]
        let users = 20, repeats = 3
        for user in 0..<users {
            let expected = try #require(StickyHash.version(for: "user-\(user)", weights: deployment.weights)).description
            for _ in 0..<repeats {
                let version = try await stack.infer(["x-user-id": "user-\(user)"])
                #expect(version == expected, "user-\(user) was answered by \(version), its key hashes to \(expected)")
                answered[version, default: 0] += 1
            }
        }
        #expect(Set(answered.keys) == ["1.0.0", "1.1.0"], "the shadow answered a client, or one version served everyone: \(answered)")

        // Every request was mirrored to 1.2.0; copies go off the response path, so wait for them, bounded.
        let sent = users * repeats
        let deadline = ContinuousClock.now + .seconds(30)
        while (stack.router.shadowStats(endpoint: "fraud")?.compared ?? 0) < sent, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(25))
        }
        let shadow = try #require(stack.router.shadowStats(endpoint: "fraud"))
        #expect(shadow.version == Self.v3 && shadow.mirrored == sent && shadow.compared == sent && shadow.shadowErrors == 0)
        #expect(stack.workers[Self.v3]?.requests == sent)

        // The change is in the timeline and the audit log, with the settings before and after.
        let event = try #require(try await stack.client.events().last)
        #expect(event.kind == .trafficChanged && event.message.contains("routing none → shadow 1.2.0 100% · sticky header:x-user-id"))
        let audit = try #require(try await stack.client.audit(limit: 1).first)
        #expect(audit.to == "1.0.0 50% · 1.1.0 50% · shadow 1.2.0 100% · sticky header:x-user-id")
    }

    @Test func aHeaderRuleWinsOverTheStickyKeyAndClearingTheSettingsTakesEffectAtOnce() async throws {
        let stack = try await Stack.start()
        defer { Task { await stack.stop() } }
        let weights = [TrafficWeight(version: Self.v1, weight: 100), TrafficWeight(version: Self.v2, weight: 0)]
        let routing = DeploymentRouting(
            shadow: .init(version: Self.v3, mirrorPercent: 100),
            headerMatches: [.init(header: "x-tenant", value: "acme", version: Self.v2)], sticky: .init(header: "x-user-id"))
        _ = try await stack.client.setTraffic("fraud", TrafficChange(weights: weights, reason: "acme tries 1.1.0", routing: routing))
        #expect(try await stack.infer(["x-tenant": "acme", "x-user-id": "u1"]) == "1.1.0")
        #expect(try await stack.infer(["x-tenant": "other", "x-user-id": "u1"]) == "1.0.0")
        #expect(stack.router.routes().first?.shadow == ShadowRoute(version: Self.v3, percent: 100))

        let cleared = try await stack.client.setTraffic("fraud", TrafficChange(weights: weights, reason: "done", routing: DeploymentRouting()))
        #expect(cleared.routing.isEmpty)
        // The gateway has the new table before the answer returns.
        #expect(stack.router.routes().first?.shadow == nil)
        #expect(try await stack.infer(["x-tenant": "acme"]) == "1.0.0")

        // Bad settings are a 4xx naming the field, and change nothing.
        do {
            _ = try await stack.client.setTraffic("fraud", TrafficChange(
                weights: weights, reason: "r", routing: DeploymentRouting(shadow: .init(version: Self.v2, mirrorPercent: 101))))
            Issue.record("a mirror of 101% was accepted")
        } catch {
            #expect(error.field == "routing.shadow.mirrorPercent")
        }
        do {
            _ = try await stack.client.setTraffic("fraud", TrafficChange(
                weights: weights, reason: "r", routing: DeploymentRouting(shadow: .init(version: SemVer(7, 0, 0), mirrorPercent: 10))))
            Issue.record("a shadow on a version that does not exist was accepted")
        } catch {
            #expect(error.httpStatus == 404 && error.field == "routing.shadow.version")
        }
        #expect(try await stack.client.endpoint("fraud").deployment.revision == cleared.revision)
    }

    @Test func aStickyInputKeepsEachClientOnOneVersionWhateverProtocolCarriesIt() async throws {
        let stack = try await Stack.start()
        defer { Task { await stack.stop() } }
        let weights = [TrafficWeight(version: Self.v1, weight: 50), TrafficWeight(version: Self.v2, weight: 50)]
        _ = try await stack.client.setTraffic("fraud", TrafficChange(
            weights: weights, reason: "keep users on one version", routing: DeploymentRouting(sticky: .init(input: "user_id"))))

        var answered: Set<String> = []
        for user in 0..<16 {
            let expected = try #require(StickyHash.version(for: "user-\(user)", weights: weights)).description
            let oip = #"{"inputs":[{"name":"features","shape":[1,1],"datatype":"FP32","data":[1]},"#
                + #"{"name":"user_id","shape":[1,1],"datatype":"BYTES","data":["user-\#(user)"]}]}"#
            let split = #"{"dataframe_split":{"columns":["amount","user_id"],"data":[[12.5,"user-\#(user)"]]}}"#
            let records = #"{"dataframe_records":[{"user_id":"user-\#(user)","amount":12.5}]}"#
            for _ in 0..<2 {
                #expect(try await stack.infer(body: oip) == expected, "OIP request of user-\(user)")
                #expect(try await stack.invoke(split) == expected, "dataframe_split request of user-\(user)")
                #expect(try await stack.invoke(records) == expected, "dataframe_records request of user-\(user)")
            }
            // The gateway's own sticky header is not read for an endpoint keyed on an input.
            let withHeader = try await stack.infer(["x-nightjar-key": "someone-else-\(user)"], body: oip)
            #expect(withHeader == expected, "the x-nightjar-key header overrode user-\(user)'s input")
            answered.insert(withHeader)
        }
        #expect(answered == ["1.0.0", "1.1.0"], "one version served every user: \(answered)")

        let audit = try #require(try await stack.client.audit(limit: 1).first)
        #expect(audit.to == "1.0.0 50% · 1.1.0 50% · sticky input:user_id")
        do {
            _ = try await stack.client.setTraffic("fraud", TrafficChange(
                weights: weights, reason: "r", routing: DeploymentRouting(sticky: .init(input: "user id"))))
            Issue.record("an input name with a space was accepted")
        } catch {
            #expect(error.httpStatus == 400 && error.field == "routing.sticky.input")
        }
    }
}
