import Foundation

/// Seeded draws, so every test sees the same data on every run and platform.
struct SeededData {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return (Double(z >> 11) + 0.5) / Double(1 << 53)
    }

    mutating func normal(mean: Double = 0, sd: Double = 1) -> Double {
        let u = uniform(), v = uniform()
        return mean + sd * (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    mutating func normals(_ count: Int, mean: Double = 0, sd: Double = 1) -> [Double] {
        (0..<count).map { _ in normal(mean: mean, sd: sd) }
    }

    /// Picks from `choices` with the given weights.
    mutating func pick(_ choices: [String], weights: [Double]) -> String {
        var u = uniform() * weights.reduce(0, +)
        for (choice, w) in zip(choices, weights) {
            if u < w { return choice }
            u -= w
        }
        return choices[choices.count - 1]
    }
}
