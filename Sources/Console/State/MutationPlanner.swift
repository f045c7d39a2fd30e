import NightjarCore

/// Turns a key press into a confirmation that names exactly what will happen, or into the reason
/// it cannot happen ("fraud has no rollout to pause"). Pure: the reducer shows the result.
enum MutationPlanner {
    enum Kind: Sendable, Equatable {
        case rollback, promote, pause, resume, abort
    }

    static func plan(_ kind: Kind, for endpoint: EndpointStatus, alerts: [Alert]) -> Result<Confirmation, FetchFailure> {
        let name = endpoint.endpoint
        let weights = endpoint.deployment.weights
        switch kind {
        case .rollback:
            guard let stable = endpoint.stableVersion, let target = endpoint.rollbackWeights else {
                return .failure(FetchFailure("\(name) has no version to roll back to"))
            }
            guard endpoint.deployment.weight(of: stable) != 100 else {
                return .failure(FetchFailure("\(name) already sends 100% to \(stable): nothing to roll back"))
            }
            let summary = "\(name): \(TrafficWeight.describeChange(from: weights, to: target))"
            return .success(Confirmation(mutation: .rollback(endpoint: name, to: stable), summary: summary,
                                         reason: reason(for: name, alerts: alerts, otherwise: "manual rollback")))
        case .promote:
            guard let rollout = endpoint.activeRollout else { return noRollout(name, "promote") }
            let target = weights.map { TrafficWeight(version: $0.version, weight: $0.version == rollout.candidate ? 100 : 0) }
            let summary = "\(name): promote \(rollout.candidate) now, skipping the remaining steps — "
                + TrafficWeight.describeChange(from: weights, to: target)
            return .success(Confirmation(mutation: .rollout(endpoint: name, command: .promote), summary: summary,
                                         reason: "manual promote"))
        case .pause:
            guard let rollout = endpoint.activeRollout else { return noRollout(name, "pause") }
            guard rollout.state == .progressing else {
                return .failure(FetchFailure("the \(name) rollout is \(rollout.state.rawValue), not progressing: nothing to pause"))
            }
            let summary = "\(name): pause the rollout of \(rollout.candidate) at \(step(rollout)); traffic stays \(endpoint.deployment.splitDescription)"
            return .success(Confirmation(mutation: .rollout(endpoint: name, command: .pause), summary: summary,
                                         reason: reason(for: name, alerts: alerts, otherwise: "manual pause")))
        case .resume:
            guard let rollout = endpoint.activeRollout else { return noRollout(name, "resume") }
            guard rollout.state == .paused else {
                return .failure(FetchFailure("the \(name) rollout is \(rollout.state.rawValue), not paused: nothing to resume"))
            }
            let summary = "\(name): resume the rollout of \(rollout.candidate) from \(step(rollout))"
            return .success(Confirmation(mutation: .rollout(endpoint: name, command: .resume), summary: summary,
                                         reason: "manual resume"))
        case .abort:
            guard let rollout = endpoint.activeRollout else { return noRollout(name, "abort") }
            let target = weights.map { TrafficWeight(version: $0.version, weight: $0.version == rollout.stable ? 100 : 0) }
            let summary = "\(name): abort the rollout of \(rollout.candidate) — \(TrafficWeight.describeChange(from: weights, to: target))"
            return .success(Confirmation(mutation: .rollout(endpoint: name, command: .abort), summary: summary,
                                         reason: reason(for: name, alerts: alerts, otherwise: "manual abort")))
        }
    }

    /// "step 2/5 (20%)"; "step 1/2 (shadow)" while the candidate only gets copies.
    static func step(_ rollout: RolloutStatus) -> String {
        "step \(rollout.stepIndex + 1)/\(rollout.plan.steps.count) (\(rollout.candidateWeight == 0 ? "shadow" : "\(rollout.candidateWeight)%"))"
    }

    /// The newest alert about this endpoint, since that is usually why the operator is acting.
    static func reason(for endpoint: String, alerts: [Alert], otherwise fallback: String) -> String {
        alerts.last { $0.endpoint == endpoint }?.text ?? fallback
    }

    private static func noRollout(_ name: String, _ verb: String) -> Result<Confirmation, FetchFailure> {
        .failure(FetchFailure("\(name) has no running rollout to \(verb)"))
    }
}
