import Foundation
import Gateway
import NightjarCore
import Registry
import Rollout

/// Every change to who serves an endpoint goes through here: operator shifts, rollbacks, rollout
/// commands and the rollout controller's own decisions. One actor, so in this process a rollback and
/// an analysis pass never interleave; across processes the store's revision check refuses stale writes.
/// After each change the data plane gets the new routing table before the call returns.
public actor TrafficControl {
    public static let controllerActor = "nightjar-rollout"

    let store: any RegistryStore
    let workers: WorkerDirectory
    let dataPlane: any DataPlane
    let drift: DriftPoller
    /// The latest analysis of each running rollout; recomputed every pass, so not stored.
    private var latestChecks: [String: [RuleCheck]] = [:]

    public init(store: any RegistryStore, workers: WorkerDirectory, dataPlane: any DataPlane, drift: DriftPoller = DriftPoller()) {
        self.store = store
        self.workers = workers
        self.dataPlane = dataPlane
        self.drift = drift
    }

    // MARK: reading

    public func statuses() async throws -> [EndpointStatus] {
        let rollouts = try await currentRollouts()
        let ready = await readyWorkers()
        return try await store.deployments().map { status($0, rollout: rollouts[$0.endpoint], ready: ready) }
    }

    public func status(_ endpoint: String) async throws -> EndpointStatus {
        let deployment = try await store.deployment(endpoint)
        return status(deployment, rollout: try await currentRollouts()[endpoint], ready: await readyWorkers())
    }

    private func status(_ deployment: Deployment, rollout: RolloutStatus?, ready: [ModelRef: [String]]) -> EndpointStatus {
        let stats = dataPlane.stats(endpoint: deployment.endpoint)
        let ejected = dataPlane.ejectedWorkers()
        let versions = deployment.weights.map { w in
            let ref = ModelRef(name: deployment.model, version: w.version)
            return EndpointStatus.VersionStatus(
                version: w.version, weight: w.weight,
                readyWorkers: (ready[ref] ?? []).filter { !ejected.contains($0) }.count, stats: stats[w.version],
                drift: drift.report(for: ref))
        }
        return EndpointStatus(deployment: deployment, versions: versions, rollout: rollout,
                              shadow: deployment.routing.shadow == nil ? nil : dataPlane.shadowStats(endpoint: deployment.endpoint))
    }

    /// The newest rollout of each endpoint, with the checks of the latest analysis pass.
    private func currentRollouts() async throws -> [String: RolloutStatus] {
        var byEndpoint: [String: RolloutStatus] = [:]
        for var rollout in try await store.rollouts() {
            if !rollout.state.isFinished, let checks = latestChecks[rollout.endpoint] { rollout.checks = checks }
            byEndpoint[rollout.endpoint] = rollout
        }
        return byEndpoint
    }

    private func readyWorkers() async -> [ModelRef: [String]] {
        Dictionary(grouping: await workers.list().filter { $0.state == .ready }, by: \.model).mapValues { $0.map(\.address) }
    }

    // MARK: operator changes

    public func setTraffic(_ endpoint: String, _ change: TrafficChange, actor: String) async throws -> Deployment {
        try requireReason(change.reason)
        if let running = try await currentRollouts()[endpoint], !running.state.isFinished {
            throw NightjarError.conflict(
                "\(endpoint) has a rollout to \(running.candidate) in progress (\(running.state.rawValue)); "
                    + "promote, pause, abort or roll it back instead of shifting by hand")
        }
        let current = try await existingDeployment(endpoint)
        let model = current?.model ?? change.model ?? endpoint
        let routing = change.routing ?? current?.routing ?? DeploymentRouting()
        try routing.validate(weights: change.weights)
        for (field, version) in routing.versionsByField(weights: change.weights) {
            do { _ = try await store.version(ModelRef(name: model, version: version)) } catch NightjarError.notFound(let message) {
                throw NightjarError.notFound("\(field): \(message)")
            }
        }
        if change.allowCold != true {
            try await requireWorkers(for: change.weights, model: model)
            // Only settings being set now: a shadow whose worker died must not block a shift at 2 AM.
            if let routing = change.routing { try await requireWorkers(for: routing, model: model) }
        }
        let result = try await store.apply(EndpointChange(
            endpoint: endpoint, model: change.model, weights: change.weights, routing: change.routing,
            expectedRevision: change.revision, actor: actor, action: "traffic", reason: change.reason, eventKind: .trafficChanged))
        try await syncRoutes()
        return result.deployment
    }

    public func rollback(_ endpoint: String, _ request: RollbackRequest, actor: String) async throws -> Deployment {
        try requireReason(request.reason)
        let deployment = try await store.deployment(endpoint)
        let running = try await currentRollouts()[endpoint].flatMap { $0.state.isFinished ? nil : $0 }
        guard let target = request.to ?? deployment.rollbackTarget(rollout: running) else {
            throw NightjarError.conflict(
                "\(endpoint) serves only \(deployment.splitDescription): there is no older version to roll back to; name one (--to VERSION; `to` in the API)")
        }
        var rolloutWrite = EndpointChange.RolloutWrite.unchanged
        if var running {
            running.state = .rolledBack
            running.reason = request.reason
            running.updatedAt = Date()
            rolloutWrite = .update(running)
        }
        var weights = deployment.weights.map { TrafficWeight(version: $0.version, weight: $0.version == target ? 100 : 0) }
        if !weights.contains(where: { $0.version == target }) { weights.append(TrafficWeight(version: target, weight: 100)) }
        // A rollout's shadow on its candidate ends with it; and rolling back to the version being
        // shadowed makes it the primary, which needs no copies.
        var routing = deployment.routing
        if case .update(let ended) = rolloutWrite, let after = RolloutMachine.routing(for: ended, current: routing) { routing = after }
        if routing.shadow?.version == target { routing.shadow = nil }
        let result = try await store.apply(EndpointChange(
            endpoint: endpoint, weights: weights, routing: routing == deployment.routing ? nil : routing,
            // The revision the operator confirmed against, when given: a split changed meanwhile is
            // refused like a stale traffic change rather than rolled back on top of.
            expectedRevision: request.revision ?? deployment.revision, rollout: rolloutWrite, actor: actor,
            action: "rollback", reason: request.reason, eventKind: .rollback,
            message: "\(endpoint): rolled back to \(target): \(TrafficWeight.describeChange(from: deployment.weights, to: weights))"))
        try await syncRoutes()
        return result.deployment
    }

    public func startRollout(_ endpoint: String, _ start: RolloutStart, actor: String) async throws -> RolloutStatus {
        try requireReason(start.reason)
        let deployment = try await store.deployment(endpoint)
        guard let stable = deployment.primary else {
            throw NightjarError.conflict("\(endpoint) has no version to roll out from")
        }
        // A mistyped candidate is named as unknown, not as a version whose worker is missing.
        do { _ = try await store.version(ModelRef(name: deployment.model, version: start.candidate)) } catch NightjarError.notFound(let message) {
            throw NightjarError.notFound("candidate: \(message)")
        }
        let status = try RolloutMachine.start(endpoint: endpoint, stable: stable, candidate: start.candidate, plan: start.plan,
                                              actor: actor, at: Date())
        let weights = Self.keepListed(RolloutMachine.weights(for: status), from: deployment.weights)
        let routing = RolloutMachine.routing(for: status, current: deployment.routing)
        try await requireWorkers(for: weights, model: deployment.model, canAllowCold: false)
        if let shadow = routing?.shadow, status.shadowsCandidate {
            try await requireWorkers(for: DeploymentRouting(shadow: shadow), model: deployment.model, canAllowCold: false)
        }
        _ = try await store.apply(EndpointChange(
            endpoint: endpoint, weights: weights, routing: routing, expectedRevision: deployment.revision, rollout: .start(status),
            actor: actor, action: "rollout.start", reason: start.reason, eventKind: .rolloutStarted,
            message: "\(endpoint): rollout \(stable) → \(start.candidate) started (\(start.plan.strategy.rawValue) "
                + "\(Self.describeSteps(start.plan)), every \(Int(start.plan.intervalSeconds)) s)"))
        latestChecks[endpoint] = nil
        try await syncRoutes()
        return status
    }

    public func command(_ endpoint: String, _ command: RolloutCommand, reason: String, actor: String) async throws -> RolloutStatus {
        try requireReason(reason)
        let deployment = try await store.deployment(endpoint)
        guard let current = try await currentRollouts()[endpoint] else {
            throw NightjarError.notFound("\(endpoint) has no rollout to \(command.rawValue)")
        }
        let (next, weights) = try RolloutMachine.command(command, current, reason: reason, at: Date())
        let kinds: [RolloutCommand: ControlEvent.Kind] = [
            .promote: .rolloutPromoted, .pause: .rolloutPaused, .resume: .rolloutResumed, .abort: .rolloutAborted,
        ]
        let split = weights.map { " — " + TrafficWeight.describeChange(from: deployment.weights, to: $0) } ?? ""
        _ = try await store.apply(EndpointChange(
            endpoint: endpoint, weights: weights.map { Self.keepListed($0, from: deployment.weights) },
            routing: RolloutMachine.routing(for: next, current: deployment.routing),
            expectedRevision: deployment.revision, rollout: .update(next), actor: actor, action: "rollout.\(command.rawValue)",
            reason: reason, eventKind: kinds[command] ?? .rolloutStep,
            message: "\(endpoint): rollout to \(current.candidate) \(next.state.rawValue)\(split)"))
        try await syncRoutes()
        return next
    }

    // MARK: the rollout controller

    /// One analysis pass over every running rollout; the server calls it about twice a second.
    /// Returns the events of the changes it made.
    @discardableResult
    public func analyseRollouts(at now: Date = Date()) async throws -> [ControlEvent] {
        var events: [ControlEvent] = []
        for rollout in try await store.rollouts() where !rollout.state.isFinished {
            let stats = dataPlane.stats(endpoint: rollout.endpoint)
            // Read once per pass: it names the model for the drift report and is the revision a change is made against.
            let deployment = try await store.deployment(rollout.endpoint)
            let decision = RolloutMachine.decide(
                rollout, stable: stats[rollout.stable], candidate: stats[rollout.candidate],
                candidateDrift: drift.report(for: ModelRef(name: deployment.model, version: rollout.candidate)),
                shadow: dataPlane.shadowStats(endpoint: rollout.endpoint), at: now)
            let (next, weights) = RolloutMachine.apply(decision, to: rollout, at: now)
            latestChecks[rollout.endpoint] = next.checks
            guard let weights else { continue }
            let listed = Self.keepListed(weights, from: deployment.weights)
            let split = TrafficWeight.describeChange(from: deployment.weights, to: listed)
            let (kind, message): (ControlEvent.Kind, String)
            switch decision {
            case .rollback:
                (kind, message) = (.rolloutRolledBack,
                                   "\(rollout.endpoint): rolled back \(rollout.candidate) automatically — \(next.reason ?? ""); \(split)")
            case .promote:
                (kind, message) = (.rolloutPromoted, "\(rollout.endpoint): \(rollout.candidate) promoted — \(split)")
            default:
                (kind, message) = (.rolloutStep, "\(rollout.endpoint): rollout to \(rollout.candidate) step "
                    + "\(next.stepIndex + 1)/\(next.plan.steps.count) — \(split)")
            }
            let result = try await store.apply(EndpointChange(
                endpoint: rollout.endpoint, weights: listed, routing: RolloutMachine.routing(for: next, current: deployment.routing),
                expectedRevision: deployment.revision, rollout: .update(next),
                actor: Self.controllerActor, action: "rollout.\(next.state == .progressing ? "step" : next.state.rawValue)",
                reason: next.state == .progressing ? nil : next.reason, eventKind: kind, message: message))
            events.append(result.event)
            try await syncRoutes()
        }
        return events
    }

    // MARK: routing

    /// Rebuilds the routing table from the deployments and the live workers and hands it over.
    public func syncRoutes() async throws {
        let ready = await readyWorkers()
        let routes = try await store.deployments().map { d in
            EndpointRoute(deployment: d) { ready[ModelRef(name: d.model, version: $0)] ?? [] }
        }
        dataPlane.update(routes: routes)
    }

    // MARK: checks

    private func requireReason(_ reason: String) throws {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw NightjarError.invalidArgument("reason: every change to traffic needs a reason for the audit log")
        }
    }

    /// Nil when the change is about to create the endpoint.
    private func existingDeployment(_ endpoint: String) async throws -> Deployment? {
        do {
            return try await store.deployment(endpoint)
        } catch NightjarError.notFound {
            return nil
        }
    }

    /// A version given traffic must have a worker to take it, or its share of requests would fail.
    /// `canAllowCold`: whether the caller could have said so (a traffic change can; a rollout cannot).
    private func requireWorkers(for weights: [TrafficWeight], model: String, canAllowCold: Bool = true) async throws {
        let ready = await readyWorkers()
        for w in weights where w.weight > 0 && (ready[ModelRef(name: model, version: w.version)] ?? []).isEmpty {
            throw NightjarError.conflict(
                "weights: \(model)@\(w.version) would get \(w.weight)% but has no ready worker; start one "
                    + "(nightjar worker --model \(model)@\(w.version))" + (canAllowCold ? Self.allowColdHint : ""))
        }
    }

    /// A shadow or a header rule without a worker would fail every request sent its way.
    private func requireWorkers(for routing: DeploymentRouting, model: String, canAllowCold: Bool = true) async throws {
        let ready = await readyWorkers()
        for (field, version) in routing.versionsByField(weights: []) where (ready[ModelRef(name: model, version: version)] ?? []).isEmpty {
            throw NightjarError.conflict(
                "\(field): \(model)@\(version) has no ready worker to take its requests; start one "
                    + "(nightjar worker --model \(model)@\(version))" + (canAllowCold ? Self.allowColdHint : ""))
        }
    }

    static let allowColdHint = " or allow a cold version explicitly (--allow-cold; allowCold in the API)"

    /// "10% → 50% → 100%"; a shadow phase reads "shadow".
    static func describeSteps(_ plan: RolloutPlan) -> String {
        plan.steps.map { $0 == 0 ? "shadow \(plan.mirrorPercent)%" : "\($0)%" }.joined(separator: " → ")
    }

    /// A rollout's split names only stable and candidate; other versions listed stay listed at 0%.
    static func keepListed(_ weights: [TrafficWeight], from current: [TrafficWeight]) -> [TrafficWeight] {
        current.map { c in weights.first { $0.version == c.version } ?? TrafficWeight(version: c.version, weight: 0) }
            + weights.filter { w in !current.contains { $0.version == w.version } }
    }
}
