import NightjarCore

/// A change to the control plane the operator asked for and confirmed. Carried by an effect; the
/// result comes back as `Action.mutated`.
public enum Mutation: Sendable, Equatable {
    /// Set the split, made against `revision` so a change someone else made meanwhile is refused.
    case setTraffic(endpoint: String, weights: [TrafficWeight], revision: Int)
    /// All traffic to `to`. The version is named explicitly so what runs is what was confirmed, and
    /// the revision too: a split someone changed while the dialog was open is refused, not overwritten.
    case rollback(endpoint: String, to: SemVer, revision: Int)
    case rollout(endpoint: String, command: RolloutCommand)

    public var endpoint: String {
        switch self {
        case .setTraffic(let e, _, _), .rollback(let e, _, _), .rollout(let e, _): e
        }
    }

    /// A short name for the status line: "rollback of fraud".
    public var label: String {
        switch self {
        case .setTraffic(let e, _, _): "traffic change on \(e)"
        case .rollback(let e, _, _): "rollback of \(e)"
        case .rollout(let e, let command): "\(command.rawValue) of the \(e) rollout"
        }
    }
}
