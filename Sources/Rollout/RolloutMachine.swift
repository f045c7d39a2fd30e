import Foundation
import NightjarCore

/// The rollout state machine. Given a rollout, fresh stats and the time, it says what happens next;
/// given an operator's command, it says what the rollout becomes. No I/O: the server's controller
/// stores and applies what this decides.
///
/// progressing ──step interval passes, rules pass──► next step … last step ──► promoted
///      │  ▲                                    any rule fails (progressing or paused) ──► rolledBack
///  pause│  │resume                                                 operator abort ──► aborted
///      ▼  │                                                      operator promote ──► promoted
///    paused
///
/// blue-green: step 0 shadows the candidate (copies only) and is judged on the shadow rules; when its
/// interval passes with them passing, the candidate takes 100% at once (step 1), judged like a canary.
/// shadow-only: the candidate is shadowed and judged, but nothing moves until an operator promotes or
/// aborts; a failing rule is shown, not acted on.
public enum RolloutMachine {
    public enum Decision: Sendable, Equatable {
        /// Nothing to change; the checks are fresh.
        case hold([RuleCheck])
        /// Move to `plan.steps[step]`.
        case advance(step: Int, [RuleCheck])
        /// The last step held for its interval with every rule passing.
        case promote([RuleCheck])
        /// A rule failed: all traffic back to stable.
        case rollback(failed: RuleCheck, [RuleCheck])
    }

    /// A new rollout at its first step.
    public static func start(endpoint: String, stable: SemVer, candidate: SemVer, plan: RolloutPlan, actor: String,
                             at now: Date) throws(NightjarError) -> RolloutStatus {
        try plan.validate()
        guard stable != candidate else {
            throw .invalidArgument("candidate \(candidate) is already the stable version of \(endpoint)")
        }
        return RolloutStatus(endpoint: endpoint, stable: stable, candidate: candidate, plan: plan, state: .progressing,
                             stepIndex: 0, stepStartedAt: now, startedAt: now, updatedAt: now, startedBy: actor)
    }

    /// `shadow` is what mirroring to the candidate has shown; it is judged only while the candidate is
    /// shadowed (a step of weight 0), when the candidate has no client traffic of its own to judge.
    public static func decide(_ status: RolloutStatus, stable: StatsSnapshot?, candidate: StatsSnapshot?,
                              candidateDrift: DriftReport? = nil, shadow: ShadowStats? = nil, at now: Date) -> Decision {
        let checks = status.shadowsCandidate
            ? RolloutAnalysis.checkShadow(status.plan.rules, shadow: shadow?.version == status.candidate ? shadow : nil)
            : RolloutAnalysis.check(status.plan.rules, stable: stable, candidate: candidate, candidateDrift: candidateDrift)
        guard !status.state.isFinished else { return .hold(checks) }
        // Observing only: the operator decides.
        if status.plan.strategy == .shadowOnly { return .hold(checks) }
        // A paused canary still takes traffic, so it is still watched.
        if let failed = checks.first(where: { $0.verdict == .failing }) {
            return .rollback(failed: failed, checks)
        }
        guard status.state == .progressing, let due = status.nextStepAt, now >= due else { return .hold(checks) }
        // Moving on needs evidence, not silence: every rule judged on enough requests.
        guard checks.allSatisfy({ $0.verdict == .passing }) else { return .hold(checks) }
        let next = status.stepIndex + 1
        return next < status.plan.steps.count ? .advance(step: next, checks) : .promote(checks)
    }

    /// The rollout after a decision, and the split it puts in place (nil when the split stays).
    public static func apply(_ decision: Decision, to status: RolloutStatus, at now: Date) -> (RolloutStatus, [TrafficWeight]?) {
        var next = status
        next.updatedAt = now
        switch decision {
        case .hold(let checks):
            next.checks = checks
            return (next, nil)
        case .advance(let step, let checks):
            next.checks = checks
            next.stepIndex = step
            next.stepStartedAt = now
            return (next, weights(for: next))
        case .promote(let checks):
            next.checks = checks
            next.state = .promoted
            next.reason = "every step passed its analysis"
            return (next, [TrafficWeight(version: status.candidate, weight: 100)])
        case .rollback(let failed, let checks):
            next.checks = checks
            next.state = .rolledBack
            next.reason = RolloutAnalysis.describe(failed)
            return (next, [TrafficWeight(version: status.stable, weight: 100)])
        }
    }

    /// An operator's command. Refused (as a conflict) when the rollout is not in a state it applies to.
    public static func command(_ command: RolloutCommand, _ status: RolloutStatus, reason: String,
                               at now: Date) throws(NightjarError) -> (RolloutStatus, [TrafficWeight]?) {
        var next = status
        next.updatedAt = now
        next.reason = reason
        switch (command, status.state) {
        case (_, let state) where state.isFinished:
            throw .conflict("the rollout of \(status.endpoint) to \(status.candidate) is already \(state.rawValue); start a new one")
        case (.pause, .paused):
            throw .conflict("the rollout of \(status.endpoint) is already paused")
        case (.resume, .progressing):
            throw .conflict("the rollout of \(status.endpoint) is not paused")
        case (.pause, _):
            next.state = .paused
            return (next, nil)
        case (.resume, _):
            next.state = .progressing
            // The step's interval starts again: the operator paused to look, not to skip the wait.
            next.stepStartedAt = now
            return (next, nil)
        case (.promote, _):
            next.state = .promoted
            return (next, [TrafficWeight(version: status.candidate, weight: 100)])
        case (.abort, _):
            next.state = .aborted
            return (next, [TrafficWeight(version: status.stable, weight: 100)])
        }
    }

    /// The split at a rollout's current step: the candidate's step weight, the rest to stable.
    public static func weights(for status: RolloutStatus) -> [TrafficWeight] {
        let c = status.candidateWeight
        return [TrafficWeight(version: status.stable, weight: 100 - c), TrafficWeight(version: status.candidate, weight: c)]
    }

    /// The routing settings a rollout leaves: while it shadows the candidate, a shadow on it at the
    /// plan's percentage (in place of any other); once the candidate serves or the rollout ends, no
    /// shadow on it. Settings that name other versions are kept. Nil when nothing changes.
    public static func routing(for status: RolloutStatus, current: DeploymentRouting) -> DeploymentRouting? {
        var routing = current
        if status.shadowsCandidate {
            routing.shadow = DeploymentRouting.Shadow(version: status.candidate, mirrorPercent: status.plan.mirrorPercent)
        } else if current.shadow?.version == status.candidate {
            routing.shadow = nil
        }
        return routing == current ? nil : routing
    }
}
