import NightjarCore

/// Picks a version for each request by the deployment's weights.
/// A pure value: the caller supplies the random draw, so routing is reproducible in tests.
public struct WeightedPicker<Target: Sendable>: Sendable {
    public let choices: [(target: Target, weight: Int)]
    public let totalWeight: Int

    /// Choices with a weight of zero are never picked; at least one weight must be positive.
    public init(_ choices: [(target: Target, weight: Int)]) throws(NightjarError) {
        guard choices.allSatisfy({ $0.weight >= 0 }) else {
            throw .invalidArgument("traffic weights must not be negative: \(choices.map(\.weight))")
        }
        let total = choices.reduce(0) { $0 + $1.weight }
        guard total > 0 else {
            throw .invalidArgument("traffic weights must add up to more than zero: \(choices.map(\.weight))")
        }
        self.choices = choices
        self.totalWeight = total
    }

    /// The target for a draw in `0 ..< totalWeight`.
    public func pick(draw: Int) -> Target {
        var remaining = ((draw % totalWeight) + totalWeight) % totalWeight
        for choice in choices {
            if remaining < choice.weight { return choice.target }
            remaining -= choice.weight
        }
        return choices[choices.count - 1].target
    }

    public func pick<G: RandomNumberGenerator>(using generator: inout G) -> Target {
        pick(draw: Int.random(in: 0..<totalWeight, using: &generator))
    }
}
