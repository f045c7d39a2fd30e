import Foundation
import NIOCore
import NIOHTTP1
import NightjarCore

extension TrafficRouter {
    /// Sends a copy of an answered inference request to the shadow version in a task of its own, so
    /// the client never waits for it, and compares the two answers when the copy comes back.
    func mirror(to shadow: ShadowRoute, plan: EndpointPlan, primary: SemVer, headers: HTTPHeaders, body: ByteBuffer,
                primaryAnswer: WorkerAnswer, primaryMicros: UInt64) {
        guard shadow.version != primary, shadow.percent > 0, Self.draw(below: 100) < shadow.percent else { return }
        let key = ShadowLedger.Key(endpoint: plan.endpoint, version: shadow.version)
        let limit = configuration.maxShadowInFlight
        let admitted = shadowsInFlight.withLock { inFlight in
            guard inFlight < limit else { return false }
            inFlight += 1
            return true
        }
        guard admitted else {
            shadows.recordDropped(key)
            return
        }
        shadows.recordMirrored(key)
        let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
        Task {
            defer { shadowsInFlight.withLock { $0 -= 1 } }
            let clock = ContinuousClock()
            let start = clock.now
            let result: Result<WorkerAnswer, WorkerFailure>
            if plan.workers(of: shadow.version).isEmpty {
                result = .failure(.unreachable(worker: "", reason: "version \(shadow.version) has no workers"))
            } else {
                result = await send(.infer, plan: plan, version: shadow.version, headers: headers, body: body, deadline: deadline, retry: false)
            }
            let shadowMicros = Self.micros(clock.now - start)
            var failed = true
            var comparison: ShadowComparison?
            if case .success(let answer) = result, answer.status == 200 {
                failed = false
                if primaryAnswer.status == 200 {
                    comparison = ShadowComparison.compare(primary: primaryAnswer, shadow: answer)
                }
            }
            shadows.recordOutcome(key, shadowFailed: failed, comparison: comparison, shadowMicros: shadowMicros, primaryMicros: primaryMicros)
        }
    }
}
