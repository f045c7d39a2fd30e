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

    /// Routes one client request: choose the version, forward to its least-busy worker (once more
    /// on another worker if the first cannot be reached), answer with the worker's answer, record it.
    func forward(_ request: Request, endpoint: String, pinned: String?, call: WorkerCall) async -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
        let elapsed = { Self.micros(clock.now - start) }

        guard let plan = currentTable().endpoints[endpoint] else {
            let known = currentTable().endpoints.keys.sorted()
            let hint = known.isEmpty ? "no endpoint is deployed" : "deployed endpoints: \(known.joined(separator: ", "))"
            return record(.error("endpoint '\(endpoint)' is not deployed on this gateway (\(hint))", status: .notFound),
                          endpointLabel: Self.unknownEndpointLabel, plan: nil, version: nil, micros: elapsed())
        }

        // Read before choosing: a deployment may key its sticky routing on an input in the body.
        var body: ByteBuffer?
        if call.method == .POST {
            var incoming = request
            do {
                body = try await incoming.collectBody(upTo: configuration.maxRequestBytes)
            } catch is NIOTooManyBytesError {
                return record(.error("request body is larger than the gateway forwards (\(configuration.maxRequestBytes) bytes)", status: .contentTooLarge),
                              endpointLabel: plan.endpoint, plan: nil, version: nil, micros: elapsed())
            } catch {
                return record(.error("could not read the request body: \(error)", status: .badRequest),
                              endpointLabel: plan.endpoint, plan: nil, version: nil, micros: elapsed())
            }
        }

        let ask = EndpointPlan.Ask(
            pinned: pinned,
            override: header(request, configuration.versionHeader),
            matched: plan.headerMatch { header(request, $0) },
            stickyKey: stickyKey(request, plan: plan, call: call, body: body))
        let version: SemVer
        switch plan.chooseVersion(ask, versionHeader: configuration.versionHeader, draw: Int.random(in: 0..<Int(Int32.max))) {
        case .success(let chosen): version = chosen
        case .failure(let refusal):
            return record(.error(refusal.message, status: .init(code: refusal.status)),
                          endpointLabel: plan.endpoint, plan: nil, version: nil, micros: elapsed())
        }
        guard !plan.workers(of: version).isEmpty else {
            return record(.error("version \(version) of endpoint '\(endpoint)' has no ready workers; start one or move its traffic elsewhere",
                                 status: .serviceUnavailable),
                          endpointLabel: plan.endpoint, plan: plan, version: version, micros: elapsed())
        }

        let headers = ForwardedHeaders.toWorker(request.headers)
        let outcome = await send(call, plan: plan, version: version, headers: headers, body: body, deadline: deadline, retry: true)
        let response: Response
        switch outcome {
        case .success(let answer):
            response = Response(status: .init(code: answer.status), headers: ForwardedHeaders.toClient(answer.headers),
                                body: .init(byteBuffer: answer.body))
        case .failure(let failure):
            response = .error(describe(failure, plan: plan, version: version), status: Self.status(for: failure))
        }
        let micros = elapsed()
        if call == .infer, let shadow = plan.route.shadow, let body, case .success(let answer) = outcome {
            mirror(to: shadow, plan: plan, primary: version, headers: headers, body: body, primaryAnswer: answer, primaryMicros: micros)
        }
        return record(response, endpointLabel: plan.endpoint, plan: plan, version: version, micros: micros)
    }

    /// The request's sticky key: the deployment's input's first value when it keys on an input,
    /// else the value of its sticky header (or the gateway's).
    private func stickyKey(_ request: Request, plan: EndpointPlan, call: WorkerCall, body: ByteBuffer?) -> String? {
        if let input = plan.route.deployment.routing.sticky?.input {
            guard let body else { return nil }
            let jsonLength = request.headers[.inferenceHeaderContentLength].flatMap { Int($0) }
            return StickyInputKey.value(of: input, call: call, body: body, jsonLength: jsonLength)
        }
        return plan.stickyKeyHeader(default: configuration.stickyKeyHeader).flatMap { header(request, $0) }
    }

    /// Sends to the version's workers: the admitted one with the fewest requests in flight, then,
    /// only when that one could not be reached, once more to another (or the same one when it is
    /// the only worker: a pooled connection the worker had closed is the usual cause).
    func send(_ call: WorkerCall, plan: EndpointPlan, version: SemVer, headers: HTTPHeaders, body: ByteBuffer?,
              deadline: NIODeadline, retry: Bool) async -> Result<WorkerAnswer, WorkerFailure> {
        let workers = plan.workers(of: version)
        var tried: Set<String> = []
        var last = WorkerFailure.unreachable(worker: "", reason: "version \(version) has no workers")
        for round in 0..<(retry ? 2 : 1) {
            guard let worker = pool.acquire(from: workers, excluding: tried) ?? pool.acquire(from: workers) else { break }
            tried.insert(worker)
            if round > 0 { metrics.recordRetry() }
            let result = await attempt(call, worker: worker, path: call.path(model: plan.model), headers: headers, body: body, deadline: deadline)
            switch result {
            case .success(let answer):
                release(worker, answer.status >= 500 ? .failed : .healthy, plan: plan, version: version)
                return .success(answer)
            case .failure(let failure):
                switch failure {
                case .cancelled: release(worker, .abandoned, plan: plan, version: version)
                case .answerTooLarge: release(worker, .healthy, plan: plan, version: version)
                case .unreachable, .timedOut: release(worker, .failed, plan: plan, version: version)
                }
                last = failure
                if !failure.retriable { return .failure(failure) }
            }
        }
        return .failure(last)
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

    /// Counts an answer against its endpoint and version (when one was chosen) and passes it on.
    func record(_ response: Response, endpointLabel: String, plan: EndpointPlan?, version: SemVer?, micros: UInt64) -> Response {
        let status = Int(response.status.code)
        metrics.record(endpoint: endpointLabel, version: version?.description ?? "", status: status, latencyMicros: micros)
        if let plan, let version {
            versionStats.record(endpoint: plan.endpoint, model: plan.model, version: version, status: status, latencyMicros: micros)
        }
        return response
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

    func header(_ request: Request, _ name: String) -> String? {
        guard let field = HTTPField.Name(name) else { return nil }
        return request.headers[field]
    }

    static func micros(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
    }
}
