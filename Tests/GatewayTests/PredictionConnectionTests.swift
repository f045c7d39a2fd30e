import Foundation
import Gateway
import Testing

/// What the prediction path promises on a client's connection, seen on the wire: answers in request
/// order whichever path answers them, keep-alive across refusals, pooled worker connections that the
/// worker closed never showing as errors, a client hanging up, and a shutdown waiting for predictions.
@Suite struct PredictionConnectionTests {
    /// The statuses of the answers in an HTTP/1.1 byte stream, in order, with each answer's text.
    static func answers(_ stream: String) -> [(status: Int, text: String)] {
        stream.components(separatedBy: "HTTP/1.1 ").dropFirst().map { text in
            (Int(text.prefix(3)) ?? 0, text)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderOnOneConnection() async throws {
        let worker = try await FakeWorker.start(version: "1.0.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100)], workers: [worker])],
                                                     configuration: .init(maxRequestBytes: 256))
        // The first prediction takes the worker two seconds; everything behind it, including the
        // requests Hummingbird answers at once, must wait for it.
        let slow = #"{"id":"slow","inputs":[{"name":"features","shape":[1,2],"datatype":"FP32","data":[0.5,1.5]}]}"#
        let stream = RawConnection.request("POST", "/v2/models/fraud/infer", body: slow)
            + RawConnection.request("GET", "/v2/health/live")
            + RawConnection.request("POST", "/v2/models/fraud/infer", body: String(repeating: "x", count: 1000))
            + RawConnection.request("GET", "/v2/models/fraud")
            + RawConnection.request("POST", "/endpoints/fraud/invocations", body: #"{"inputs":[[1,2]]}"#)
            + RawConnection.request("POST", "/v2/models/fraud/infer", body: GatewayFixtures.inferBody, headers: ["Connection: close"])
        let answers = Self.answers(try await RawConnection.exchange(port: gateway.service.port, stream))

        #expect(answers.map(\.status) == [200, 200, 413, 200, 200, 200], "\(answers.map(\.text))")
        guard answers.count == 6 else { return }
        #expect(answers[0].text.contains(#""id":"slow""#))
        #expect(answers[1].text.contains(#""live":true"#))
        #expect(answers[2].text.contains("256 bytes"))
        #expect(answers[3].text.contains(#""platform":"onnx""#))
        #expect(answers[4].text.contains("predictions"))
        #expect(answers[5].text.contains(#""id":"r-1""#) && answers[5].text.lowercased().contains("connection: close"))
        await gateway.service.stop()
        await worker.service.stop()
    }

    @Test func anHTTP10PredictionIsAnsweredAndItsConnectionClosed() async throws {
        let worker = try await FakeWorker.start(version: "1.0.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100)], workers: [worker])])
        // HTTP/1.0 without `Connection: keep-alive` ends the connection after the answer.
        let request = RawConnection.request("POST", "/v2/models/fraud/infer", body: GatewayFixtures.inferBody)
            .replacingOccurrences(of: "HTTP/1.1", with: "HTTP/1.0")
        let exchange = try await RawConnection.exchange(port: gateway.service.port, request, closeAfter: .seconds(10))
        let answers = Self.answers(exchange.text)

        #expect(exchange.serverClosed, "the gateway kept an HTTP/1.0 connection open after answering")
        #expect(answers.map(\.status) == [200], "\(answers.map(\.text))")
        #expect(answers.first?.text.contains(#""id":"r-1""#) == true)
        #expect(answers.first?.text.lowercased().contains("connection: close") == true)
        await gateway.service.stop()
        await worker.service.stop()
    }

    @Test func aPredictionWithMoreHeaderFieldsThanHummingbirdAllowsIs400AndNeverForwarded() async throws {
        let worker = try await FakeWorker.start(version: "1.0.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100)], workers: [worker])])
        // Hummingbird's limit is 1,000 fields; the prediction path reads requests before it does.
        let fields = (0..<1_001).map { "X-Field-\($0): v" }
        let request = RawConnection.request("POST", "/v2/models/fraud/infer", body: GatewayFixtures.inferBody, headers: fields)
        let exchange = try await RawConnection.exchange(port: gateway.service.port, request, closeAfter: .seconds(10))
        let answers = Self.answers(exchange.text)

        #expect(answers.map(\.status) == [400], "\(answers.map(\.text))")
        #expect(exchange.serverClosed)
        #expect(worker.hits == 0)
        await gateway.service.stop()
        await worker.service.stop()
    }

    @Test func aPooledConnectionTheWorkerClosedIsNotAnError() async throws {
        let worker = try await KeepAliveWorker.start(version: "1.0.0", closesReusedConnections: true)
        let route = EndpointRoute(deployment: try GatewayFixtures.deployment([("1.0.0", 100)]),
                                  workers: [try .init(parsing: "1.0.0"): [worker.baseURL]])
        let gateway = try await RunningGateway.start([route])
        // More requests than the gateway has event loops, so some loop reuses a connection.
        for i in 0..<24 {
            let reply = try await gateway.post("/v2/models/fraud/infer")
            #expect(reply.status == 200, "request \(i): \(reply.status) \(reply.body)")
        }
        #expect(worker.closedUnanswered > 0, "no pooled connection was reused, so nothing was tested")
        #expect(worker.answered == 24)
        let metrics = try await gateway.get("/metrics").body
        // Sending again on a new connection is not a retry on another worker: the worker was never at fault.
        #expect(metrics.contains("nightjar_gateway_retries_total 0"), "\(metrics)")
        #expect(gateway.router.ejectedWorkers().isEmpty)
        await gateway.service.stop()
        await worker.stop()
    }

    @Test func idleConnectionsToAWorkerThatLeavesTheTableAreClosed() async throws {
        let leaving = try await KeepAliveWorker.start(version: "1.0.0", closesReusedConnections: false)
        let staying = try await KeepAliveWorker.start(version: "1.0.0", closesReusedConnections: false)
        func route(_ worker: KeepAliveWorker) throws -> EndpointRoute {
            EndpointRoute(deployment: try GatewayFixtures.deployment([("1.0.0", 100)]), workers: [try .init(parsing: "1.0.0"): [worker.baseURL]])
        }
        let gateway = try await RunningGateway.start([try route(leaving)])
        for i in 0..<8 {
            #expect(try await gateway.post("/v2/models/fraud/infer").status == 200, "request \(i)")
        }
        #expect(leaving.openConnections > 0, "the gateway kept no connection open, so nothing is tested")

        gateway.router.update(routes: [try route(staying)])
        #expect(try await gateway.post("/v2/models/fraud/infer").status == 200)
        for _ in 0..<100 where leaving.openConnections > 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(leaving.openConnections == 0, "the gateway still holds \(leaving.openConnections) idle connections to a worker it no longer routes to")
        #expect(staying.openConnections > 0)
        await gateway.service.stop()
        await leaving.stop()
        await staying.stop()
    }

    @Test func aClientHangingUpMidPredictionIsAbandonedNotBlamedOnTheWorker() async throws {
        let worker = try await FakeWorker.start(version: "1.0.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100)], workers: [worker])],
                                                     configuration: .init(ejectionThreshold: 1))
        let slow = #"{"id":"slow","inputs":[]}"#
        // Hung up once the worker has the request, two seconds before it answers.
        try await RawConnection.sendAndHangUp(port: gateway.service.port, RawConnection.request("POST", "/v2/models/fraud/infer", body: slow),
                                              hangUpWhen: { worker.hits == 1 })
        var metrics = ""
        for _ in 0..<100 {
            metrics = try await gateway.get("/metrics").body
            if metrics.contains(#"version="1.0.0",status="503"} 1"#) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(metrics.contains(#"nightjar_gateway_requests_total{endpoint="fraud",version="1.0.0",status="503"} 1"#), "\(metrics)")
        // One failure would eject the worker here; the client leaving is not one.
        #expect(gateway.router.ejectedWorkers().isEmpty)
        #expect(try await gateway.post("/v2/models/fraud/infer").status == 200)
        await gateway.service.stop()
        await worker.service.stop()
    }

    @Test func stoppingTheGatewayLetsAPredictionInFlightFinish() async throws {
        let worker = try await FakeWorker.start(version: "1.0.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 100)], workers: [worker])])
        let slow = #"{"id":"slow","inputs":[{"name":"features","shape":[1,2],"datatype":"FP32","data":[0.5,1.5]}]}"#
        let inFlight = Task { try await gateway.post("/v2/models/fraud/infer", body: slow) }
        // The worker has the request (and sleeps two seconds on it) before the gateway is stopped.
        for _ in 0..<100 where worker.hits == 0 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(worker.hits == 1)
        await gateway.service.stop()
        let reply = try await inFlight.value
        #expect(reply.status == 200 && reply.body.contains(#""id":"slow""#), "\(reply.status) \(reply.body)")
        await worker.service.stop()
    }
}
