/// A bounded uniform sample of a stream, as read out of a window's buckets (which fill their
/// reservoirs with Vitter's algorithm R in `WindowBuckets`) and merged across buckets and windows.
/// Its random source is deterministic, so the same inputs always merge to the same values.
struct Reservoir: Sendable, Equatable {
    private(set) var values: [Double]
    /// Values offered so far (kept or not).
    private(set) var seen: Int
    let capacity: Int
    private var random: SplitMix64

    init(capacity: Int, seed: UInt64) {
        self.capacity = max(capacity, 0)
        values = []
        values.reserveCapacity(self.capacity)
        seen = 0
        random = SplitMix64(seed: seed)
    }

    /// A reservoir that already holds `values` out of `seen` offered.
    init(values: some Collection<Double>, seen: Int, capacity: Int, seed: UInt64) {
        self.init(capacity: capacity, seed: seed)
        self.values.append(contentsOf: values.prefix(self.capacity))
        self.seen = max(seen, self.values.count)
    }

    /// Folds `other` in so the result samples both streams in proportion to how much each saw.
    /// When both kept everything and it fits, that is simply both sets of values.
    mutating func merge(_ other: Reservoir) {
        guard other.seen > 0 else { return }
        guard seen > 0 else {
            values.removeAll(keepingCapacity: true)
            values.append(contentsOf: other.values.prefix(capacity))
            seen = other.seen
            return
        }
        let total = Double(seen + other.seen)
        // The largest size at which both sides can supply their proportional share.
        let fit = min(Double(capacity),
                      Double(values.count) * total / Double(seen),
                      Double(other.values.count) * total / Double(other.seen))
        let takeSelf = min(values.count, Int((fit * Double(seen) / total).rounded()))
        let takeOther = min(other.values.count, Int(fit.rounded(.down)) - takeSelf)
        var mine = values, theirs = other.values
        random.shuffleFront(&mine, count: takeSelf)
        random.shuffleFront(&theirs, count: max(takeOther, 0))
        values.removeAll(keepingCapacity: true)
        values.append(contentsOf: mine.prefix(takeSelf))
        values.append(contentsOf: theirs.prefix(max(takeOther, 0)))
        seen += other.seen
    }
}

/// Steele, Lea and Flood's SplitMix64: tiny, fast, and the same sequence on every platform.
struct SplitMix64: Sendable, Equatable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Moves a uniformly chosen `count` elements to the front (a partial Fisher–Yates shuffle).
    mutating func shuffleFront(_ array: inout [Double], count: Int) {
        guard array.count > 1 else { return }
        for i in 0..<min(count, array.count - 1) {
            let j = i + Int(next() % UInt64(array.count - i))
            array.swapAt(i, j)
        }
    }
}
