import Synchronization

/// The random draws of routing (weighted version choice, shadow share, ties among workers).
///
/// The system generator costs a `getrandom` system call per draw, three per prediction, where
/// routing needs only well-spread numbers, not secrets: SplitMix64 over one shared counter, seeded
/// from the system generator once. Any thread may draw; each draw is one atomic add.
struct RoutingRandom: RandomNumberGenerator {
    private static let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    mutating func next() -> UInt64 {
        // SplitMix64 (Steele, Lea, Flood 2014): the golden-ratio increment, then the finalizer.
        var z = Self.counter.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
