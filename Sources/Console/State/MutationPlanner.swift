import NightjarCore

/// Turns a key press into a confirmation that names exactly what will happen, or into the reason
/// it cannot happen ("fraud has no rollout to pause"). Pure: the reducer shows the result.
enum MutationPlanner {
    enum Kind: Sendable, Equatable {
        case rollback, promote, pause, resume, abort
    }

    /// `reason` prefills the dialogs that act on an alert's cause (rollback, pause, abort). Promote
    /// and resume start empty: a failing rule is no reason to move a rollout forward, and a
    /// placeholder such as "manual promote" would tell the audit log nothing.
    static func plan(_ kind: Kind, for endpoint: EndpointStatus, reason: String) -> Result<Confirmation, FetchFailure> {
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
            return .success(Confirmation(mutation: .rollback(endpoint: name, to: stable, revision: endpoint.deployment.revision),
                                         summary: summary, reason: reason))
        case .promote:
            guard let rollout = endpoint.activeRollout else { return noRollout(name, "promote") }
            let target = weights.map { TrafficWeight(version: $0.version, weight: $0.version == rollout.candidate ? 100 : 0) }
            let summary = "\(name): promote \(rollout.candidate) now, skipping the remaining steps — "
                + TrafficWeight.describeChange(from: weights, to: target)
            return .success(Confirmation(mutation: .rollout(endpoint: name, command: .promote), summary: summary,
                                         reason: ""))
        case .pause:
            guard let rollout = endpoint.activeRollout else { return noRollout(name, "pause") }
            guard rollout.state == .progressing else {
                return .failure(FetchFailure("the \(name) rollout is \(rollout.state.rawValue), not progressing: nothing to pause"))
            }
            let summary = "\(name): pause the rollout of \(rollout.candidate) at \(step(rollout)); traffic stays \(endpoint.deployment.splitDescription)"
            return .success(Confirmation(mutation: .rollout(endpoint: name, command: .pause), summary: summary,
                                         reason: reason))
        case .resume:
            guard let rollout = endpoint.activeRollout else { return noRollout(name, "resume") }
            guard rollout.state == .paused else {
                return .failure(FetchFailure("the \(name) rollout is \(rollout.state.rawValue), not paused: nothing to resume"))
            }
            let summary = "\(name): resume the rollout of \(rollout.candidate) from \(step(rollout))"
            return .success(Confirmation(mutation: .rollout(endpoint: name, command: .resume), summary: summary,
                                         reason: ""))
        case .abort:
            guard let rollout = endpoint.activeRollout else { return noRollout(name, "abort") }
            let target = weights.map { TrafficWeight(version: $0.version, weight: $0.version == rollout.stable ? 100 : 0) }
            let summary = "\(name): abort the rollout of \(rollout.candidate) — \(TrafficWeight.describeChange(from: weights, to: target))"
            return .success(Confirmation(mutation: .rollout(endpoint: name, command: .abort), summary: summary,
                                         reason: reason))
        }
    }

    /// "step 2/5 (20%)"; "step 1/2 (shadow)" while the candidate only gets copies.
    static func step(_ rollout: RolloutStatus) -> String {
        "step \(rollout.stepIndex + 1)/\(rollout.plan.steps.count) (\(rollout.candidateWeight == 0 ? "shadow" : "\(rollout.candidateWeight)%"))"
    }

    /// The newest current alert about this endpoint, as a reason, since that is usually why the
    /// operator is acting: a rollout rule that still fails in the latest read. An alert about a change
    /// already made (an earlier rollback, automatic or not) is no reason for this one, and a rule that
    /// recovered is no longer true. Otherwise empty, so the operator types one: a placeholder such as
    /// "manual rollback" would tell the audit log nothing.
    static func reason(for endpoint: String, in state: AppState) -> String {
        state.alerts.last { $0.endpoint == endpoint && $0.reason != nil && state.failingRules.contains($0.key) }?.reason ?? ""
    }

    private static func noRollout(_ name: String, _ verb: String) -> Result<Confirmation, FetchFailure> {
        .failure(FetchFailure("\(name) has no running rollout to \(verb)"))
    }
}
