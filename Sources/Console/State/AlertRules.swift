import Foundation
import NightjarCore

/// When the console raises an alert: a rollback, a rollout rolled back or a worker lost arriving
/// on the events feed, or a running rollout's rule starting to fail. Each cause alerts once and
/// rings the bell once (when enabled); the banner stays until `a`.
enum AlertRules {
    static let alertingKinds: Set<ControlEvent.Kind> = [.rollback, .rolloutRolledBack, .workerLost]

    static func raiseForEvents(_ state: inout AppState, _ events: [ControlEvent]) -> [Effect] {
        var raised = false
        for event in events where alertingKinds.contains(event.kind) {
            // Events from before the console's horizon are history the timeline shows, not news.
            guard state.now.timeIntervalSince(event.at) <= AppState.alertHorizonSeconds else { continue }
            let key = "event:\(event.id)"
            guard !state.alerts.contains(where: { $0.key == key }) else { continue }
            state.alerts.append(Alert(key: key, endpoint: event.endpoint,
                                      text: "\(label(event.kind)): \(event.message) (by \(event.actor))", at: event.at))
            raised = true
        }
        trim(&state)
        return raised && state.options.bell ? [.ringBell] : []
    }

    /// An unattended console must not grow without bound: the newest alerts are the ones shown.
    static func trim(_ state: inout AppState) {
        if state.alerts.count > 50 { state.alerts.removeFirst(state.alerts.count - 50) }
    }

    static func raiseForRules(_ state: inout AppState) -> [Effect] {
        var failing: Set<String> = []
        var raised = false
        for endpoint in state.endpoints {
            guard let rollout = endpoint.activeRollout else { continue }
            for check in rollout.checks where check.verdict == .failing {
                let key = "rule:\(endpoint.endpoint)/\(check.rule)"
                failing.insert(key)
                guard !state.failingRules.contains(key) else { continue }
                let text = "rollout rule failing: \(endpoint.endpoint) \(rollout.candidate) \(check.rule) "
                    + "\(RuleFormat.value(check.measured, unit: check.unit)) (limit \(RuleFormat.value(check.threshold, unit: check.unit)))"
                state.alerts.append(Alert(key: key, endpoint: endpoint.endpoint, text: text, at: state.now, reason: text))
                raised = true
            }
        }
        // A rule that recovers and fails again is news again.
        state.failingRules = failing
        trim(&state)
        return raised && state.options.bell ? [.ringBell] : []
    }

    static func label(_ kind: ControlEvent.Kind) -> String {
        switch kind {
        case .rollback: "rollback"
        case .rolloutRolledBack: "rollout rolled back"
        case .workerLost: "worker lost"
        default: kind.rawValue
        }
    }
}

/// A rule's measured value or limit in the unit the server gave it: shares as percents,
/// latencies as milliseconds, anything else as a plain number.
enum RuleFormat {
    static func value(_ value: Double?, unit: RuleCheck.Unit) -> String {
        guard let value else { return "—" }
        switch unit {
        case .fraction: return Format.percent(value)
        case .milliseconds: return Format.latency(value) + " ms"
        case .number: return String(format: "%.3g", value)
        }
    }
}
