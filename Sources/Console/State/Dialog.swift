import NightjarCore

/// A modal over the current view. While one is open it receives every key.
public enum Dialog: Sendable, Equatable {
    case traffic(TrafficDraft)
    case confirm(Confirmation)
}

/// "Are you sure?" for one mutation: says exactly what will happen and asks why.
public struct Confirmation: Sendable, Equatable {
    public var mutation: Mutation
    /// What will happen, e.g. "fraud: 1.1.0 20% → 0%, 1.0.0 80% → 100%".
    public var summary: String
    public var reason: String

    public init(mutation: Mutation, summary: String, reason: String) {
        self.mutation = mutation
        self.summary = summary
        self.reason = reason
    }
}

/// A split being edited: before and after side by side, one version selected, a reason.
public struct TrafficDraft: Sendable, Equatable {
    public enum Field: Sendable, Equatable { case weight, reason }

    public var endpoint: String
    public var revision: Int
    public var before: [TrafficWeight]
    public var after: [TrafficWeight]
    public var selected: Int
    /// Digits typed for the selected version's weight, applied as they are typed.
    public var typed = ""
    public var reason: String
    public var field: Field = .weight

    public init(endpoint: String, revision: Int, weights: [TrafficWeight], selected: Int, reason: String) {
        self.endpoint = endpoint
        self.revision = revision
        before = weights
        after = weights
        self.selected = weights.isEmpty ? 0 : min(max(0, selected), weights.count - 1)
        self.reason = reason
    }

    /// Sets the selected version's weight (clamped to 0...100) and keeps the total at 100: traffic
    /// it gains is taken from the other versions, largest first; traffic it gives up goes to the
    /// largest other version (the stable one, in a canary).
    public mutating func setSelectedWeight(_ requested: Int) {
        guard after.indices.contains(selected), after.count > 1 else { return }
        let target = min(100, max(0, requested))
        var delta = target - after[selected].weight
        after[selected].weight = target
        while delta != 0 {
            let others = after.indices.filter { $0 != selected }
            if delta > 0 {
                guard let donor = others.filter({ after[$0].weight > 0 }).max(by: { after[$0].weight < after[$1].weight }) else { break }
                let taken = min(delta, after[donor].weight)
                after[donor].weight -= taken
                delta -= taken
            } else {
                guard let receiver = others.max(by: { after[$0].weight < after[$1].weight }) else { break }
                after[receiver].weight -= delta
                delta = 0
            }
        }
    }

    public mutating func adjust(by step: Int) {
        guard after.indices.contains(selected) else { return }
        typed = ""
        setSelectedWeight(after[selected].weight + step)
    }

    public var isChanged: Bool { before != after }

    /// "1.1.0 20% → 25%, 1.0.0 80% → 75%".
    public var changeDescription: String { TrafficWeight.describeChange(from: before, to: after) }
}
