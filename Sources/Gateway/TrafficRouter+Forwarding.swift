import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import NightjarCore
import ServiceSupport

extension TrafficRouter {
    /// Metrics label for requests naming an endpoint the gateway does not know: the name is the
    /// client's input, and one series per typo would grow without bound.
    static let unknownEndpointLabel = "(unknown)"

    /// Chooses what happens to one request: the endpoint's plan, the body limit, then the version
    /// (path pin, version header, header rules, sticky key, weighted draw) and that it has workers.
    /// `header` looks up a request header by name, whichever type the request's fields are;
    /// `body` is nil for requests without one; `bodyTooLarge` when the client sent more than
    /// `maxRequestBytes` (the reader stops keeping it).
    func decide(endpoint: String, pinned: String?, call: WorkerCall, header: (String) -> String?, body: ByteBuffer?,
                bodyTooLarge: Bool) -> ForwardingDecision {
        let table = currentTable()
        guard let plan = table.endpoints[endpoint] else {
            let known = table.endpoints.keys.sorted()
            let hint = known.isEmpty ? "no endpoint is deployed" : "deployed endpoints: \(known.joined(separator: ", "))"
            return .refuse(GatewayRefusal(answer: .error("endpoint '\(endpoint)' is not deployed on this gateway (\(hint))", status: .notFound),
                                          endpointLabel: Self.unknownEndpointLabel))
        }
        if bodyTooLarge {
            return .refuse(GatewayRefusal(
                answer: .error("request body is larger than the gateway forwards (\(configuration.maxRequestBytes) bytes)", status: .contentTooLarge),
                endpointLabel: plan.endpoint))
        }
        let ask = EndpointPlan.Ask(
            pinned: pinned,
            override: header(configuration.versionHeader),
            matched: plan.headerMatch(header),
            stickyKey: stickyKey(header, plan: plan, call: call, body: body))
        let version: SemVer
        switch plan.chooseVersion(ask, versionHeader: configuration.versionHeader, draw: Self.draw(below: Int(Int32.max))) {
        case .success(let chosen): version = chosen
        case .failure(let refusal):
            return .refuse(GatewayRefusal(answer: .error(refusal.message, status: .init(code: refusal.status)), endpointLabel: plan.endpoint))
        }
        guard !plan.workers(of: version).isEmpty else {
            return .refuse(GatewayRefusal(
                answer: .error("version \(version) of endpoint '\(endpoint)' has no ready workers; start one or move its traffic elsewhere",
                               status: .serviceUnavailable),
                endpointLabel: plan.endpoint, plan: plan, version: version))
        }
        return .forward(plan: plan, version: version)
    }

    /// A routing draw in 0..<bound.
    static func draw(below bound: Int) -> Int {
        var random = RoutingRandom()
        return Int.random(in: 0..<bound, using: &random)
    }

    /// Counts a refusal and returns its answer.
    func refuse(_ refusal: GatewayRefusal, micros: UInt64) -> GatewayAnswer {
        record(status: refusal.answer.status, endpointLabel: refusal.endpointLabel, plan: refusal.plan, version: refusal.version, micros: micros)
        return refusal.answer
    }

    /// The client's answer to a forwarded request: the worker's answer or the failure's error, counted,
    /// with a copy of an answered inference sent to the shadow version off the response path.
    func conclude(_ outcome: Result<WorkerAnswer, WorkerFailure>, call: WorkerCall, plan: EndpointPlan, version: SemVer,
                  headers: HTTPHeaders, body: ByteBuffer?, micros: UInt64) -> GatewayAnswer {
        let answer: GatewayAnswer
        switch outcome {
        case .success(let relayed): answer = GatewayAnswer(relaying: relayed)
        case .failure(let failure): answer = .error(describe(failure, plan: plan, version: version), status: Self.status(for: failure))
        }
        if call == .infer, let shadow = plan.route.shadow, let body, case .success(let primary) = outcome {
            mirror(to: shadow, plan: plan, primary: version, headers: headers, body: body, primaryAnswer: primary, primaryMicros: micros)
        }
        record(status: answer.status, endpointLabel: plan.endpoint, plan: plan, version: version, micros: micros)
        return answer
    }

    /// Routes one request that Hummingbird's router matched (the model metadata and readiness
    /// routes; predictions take `DataPlaneChannelHandler`), through AsyncHTTPClient.
    func forward(_ request: Request, endpoint: String, pinned: String?, call: WorkerCall) async -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
        let lookup = { (name: String) in HTTPField.Name(name).flatMap { request.headers[$0] } }
        switch decide(endpoint: endpoint, pinned: pinned, call: call, header: lookup, body: nil, bodyTooLarge: false) {
        case .refuse(let refusal):
            return refuse(refusal, micros: Self.micros(clock.now - start)).response
        case .forward(let plan, let version):
            let headers = ForwardedHeaders.toWorker(request.headers)
            let outcome = await send(call, plan: plan, version: version, headers: headers, body: nil, deadline: deadline, retry: true)
            return conclude(outcome, call: call, plan: plan, version: version, headers: headers, body: nil,
                            micros: Self.micros(clock.now - start)).response
        }
    }

    /// The request's sticky key: the deployment's input's first value when it keys on an input,
    /// else the value of its sticky header (or the gateway's).
    private func stickyKey(_ header: (String) -> String?, plan: EndpointPlan, call: WorkerCall, body: ByteBuffer?) -> String? {
        if let input = plan.route.deployment.routing.sticky?.input {
            guard let body else { return nil }
            let jsonLength = header(HTTPField.Name.inferenceHeaderContentLength.canonicalName).flatMap { Int($0) }
            return StickyInputKey.value(of: input, call: call, body: body, jsonLength: jsonLength)
        }
        return plan.stickyKeyHeader(default: configuration.stickyKeyHeader).flatMap(header)
    }

    /// Takes the next worker to try, counting it against the worker pool; nil when the attempts are used up.
    func nextWorker(_ attempts: inout ForwardingAttempts) -> String? {
        guard attempts.made < attempts.limit,
              let worker = pool.acquire(from: attempts.workers, excluding: attempts.tried) ?? pool.acquire(from: attempts.workers)
        else { return nil }
        if attempts.made > 0 { metrics.recordRetry() }
        attempts.made += 1
        attempts.tried.insert(worker)
        return worker
    }

    /// Ends one try: tells the worker pool how it went and returns the request's outcome, or nil
    /// when it may go to another worker (the worker could not be reached; never a 4xx or 5xx answer).
    func settle(_ attempts: inout ForwardingAttempts, worker: String, result: Result<WorkerAnswer, WorkerFailure>,
                plan: EndpointPlan, version: SemVer) -> Result<WorkerAnswer, WorkerFailure>? {
        switch result {
        case .success(let answer):
            release(worker, answer.status >= 500 ? .failed : .healthy, plan: plan, version: version)
            return result
        case .failure(let failure):
            switch failure {
            case .cancelled: release(worker, .abandoned, plan: plan, version: version)
            case .answerTooLarge: release(worker, .healthy, plan: plan, version: version)
            case .unreachable, .timedOut: release(worker, .failed, plan: plan, version: version)
            }
            attempts.lastTryFailure = failure
            return failure.retriable ? nil : result
        }
    }

    /// Sends to the version's workers as `ForwardingAttempts` allows, through AsyncHTTPClient (the
    /// metadata routes and shadow copies; predictions go through `LoopForward`).
    func send(_ call: WorkerCall, plan: EndpointPlan, version: SemVer, headers: HTTPHeaders, body: ByteBuffer?,
              deadline: NIODeadline, retry: Bool) async -> Result<WorkerAnswer, WorkerFailure> {
        var attempts = ForwardingAttempts(workers: plan.workers(of: version), version: version, retry: retry)
        while let worker = nextWorker(&attempts) {
            let result = await attempt(call, worker: worker, path: plan.workerPath(call), headers: headers, body: body, deadline: deadline)
            if let outcome = settle(&attempts, worker: worker, result: result, plan: plan, version: version) { return outcome }
        }
        return .failure(attempts.lastFailure)
    }

    /// One exchange with one worker, through AsyncHTTPClient's EventLoopFuture API: its async API
    /// starts an extra task per request (to register cancellation), streams the answer through an
    /// async sequence and schedules its own deadline timer, each a thread hop and allocations that
    /// showed in the gateway's profile. Here the answer is collected on the connection's event loop.
    private func attempt(_ call: WorkerCall, worker: String, path: String, headers: HTTPHeaders, body: ByteBuffer?,
                         deadline: NIODeadline) async -> Result<WorkerAnswer, WorkerFailure> {
        var outbound: HTTPClient.Request
        do {
            outbound = try requestTemplates.request(url: worker + path, method: call.method)
        } catch {
            return .failure(.unreachable(worker: worker, reason: "\(error)"))
        }
        outbound.headers = headers
        if let body { outbound.body = .byteBuffer(body) }
        let accumulator = ResponseAccumulator(request: outbound, maxBodySize: configuration.maxResponseBytes)
        let task = http.execute(request: outbound, delegate: accumulator, eventLoop: .indifferent, deadline: deadline, logger: nil)
        do {
            let response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            return .success(WorkerAnswer(worker: worker, status: Int(response.status.code), headers: response.headers,
                                         body: response.body ?? ByteBuffer()))
        } catch is ResponseAccumulator.ResponseTooBigError {
            return .failure(.answerTooLarge(worker: worker, limit: configuration.maxResponseBytes))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failure(.timedOut(worker: worker))
        } catch {
            if Task.isCancelled { return .failure(.cancelled) }
            return .failure(.unreachable(worker: worker, reason: "\(error)"))
        }
    }

    private func release(_ worker: String, _ outcome: WorkerPool.Outcome, plan: EndpointPlan, version: SemVer) {
        guard pool.release(worker, outcome: outcome) else { return }
        metrics.recordEjection()
        logger.warning("ejected worker \(worker) (endpoint '\(plan.endpoint)' version \(version)) after \(pool.ejectionThreshold) consecutive failures; it gets traffic again in \(pool.ejectionDuration)")
    }

    /// Counts an answer against its endpoint and version (when one was chosen).
    func record(status: HTTPResponse.Status, endpointLabel: String, plan: EndpointPlan?, version: SemVer?, micros: UInt64) {
        let code = Int(status.code)
        metrics.record(endpoint: endpointLabel, version: version, status: code, latencyMicros: micros)
        if let plan, let version {
            versionStats.record(endpoint: plan.endpoint, model: plan.model, version: version, status: code, latencyMicros: micros)
        }
    }

    func describe(_ failure: WorkerFailure, plan: EndpointPlan, version: SemVer) -> String {
        let which = "endpoint '\(plan.endpoint)' version \(version)"
        switch failure {
        case .unreachable(let worker, let reason):
            return "no worker of \(which) could be reached (last tried \(worker): \(reason))"
        case .timedOut(let worker):
            return "worker \(worker) of \(which) did not answer within \(configuration.requestTimeout)"
        case .answerTooLarge(let worker, let limit):
            return "worker \(worker) of \(which) answered with more than \(limit) bytes, more than the gateway relays"
        case .cancelled:
            return "the request to \(which) was cancelled"
        }
    }

    static func status(for failure: WorkerFailure) -> HTTPResponse.Status {
        switch failure {
        case .unreachable, .answerTooLarge: .badGateway
        case .timedOut: .gatewayTimeout
        case .cancelled: .serviceUnavailable
        }
    }

    static func micros(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
    }
}
