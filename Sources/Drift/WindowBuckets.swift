/// A drift window's ring of time buckets, stored flat: every bucket's counts in one array, every
/// bucket's samples in another. Adding a value touches two or three plain array slots, instead of
/// walking bucket → column → bins arrays with a uniqueness check at each level (which measured at
/// about a third of the cost per value).
struct WindowBuckets: Sendable, Equatable {
    let slotCount: Int
    let columnCount: Int
    /// Where each column's cells start inside one bucket's block of `counts`: the column's bins,
    /// then one cell for its missing values.
    let offsets: [Int]
    let binCounts: [Int]
    let cellsPerSlot: Int
    let sampleCapacity: [Int]
    /// Where each column's sample starts inside one bucket's block of `samples` (categorical
    /// columns keep none).
    let sampleOffsets: [Int]
    let samplesPerSlot: Int

    /// Per slot: seconds since 1970 divided by the bucket length; `Int64.min` when never used.
    var ids: [Int64]
    var counts: [Int]
    /// Slot-major, then column: `sampleCapacity[c]` doubles per (slot, column), the first
    /// `kept[cell]` of them in use.
    var samples: [Double]
    var kept: [Int]
    /// Finite values offered to each (slot, column) reservoir.
    var seen: [Int]
    /// SplitMix64 state per (slot, column), so the same stream always keeps the same values.
    var random: [UInt64]

    init(slotCount: Int, binCounts: [Int], sampleCapacity: [Int]) {
        self.slotCount = slotCount
        columnCount = binCounts.count
        self.binCounts = binCounts
        var offsets: [Int] = [], next = 0
        for b in binCounts {
            offsets.append(next)
            next += b + 1
        }
        self.offsets = offsets
        cellsPerSlot = next
        self.sampleCapacity = sampleCapacity
        var sampleOffsets: [Int] = [], nextSample = 0
        for capacity in sampleCapacity {
            sampleOffsets.append(nextSample)
            nextSample += capacity
        }
        self.sampleOffsets = sampleOffsets
        samplesPerSlot = nextSample
        ids = [Int64](repeating: .min, count: slotCount)
        counts = [Int](repeating: 0, count: slotCount * next)
        samples = [Double](repeating: 0, count: slotCount * nextSample)
        kept = [Int](repeating: 0, count: slotCount * binCounts.count)
        seen = kept
        random = (0..<(slotCount * binCounts.count)).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
    }

    mutating func reset(slot: Int, id: Int64) {
        ids[slot] = id
        let start = slot * cellsPerSlot
        for i in start..<(start + cellsPerSlot) { counts[i] = 0 }
        for cell in (slot * columnCount)..<((slot + 1) * columnCount) {
            kept[cell] = 0
            seen[cell] = 0
        }
    }

    @inline(__always)
    mutating func count(bin: Int, column c: Int, slot: Int) {
        counts[slot * cellsPerSlot + offsets[c] + bin] += 1
    }

    @inline(__always)
    mutating func countMissing(column c: Int, slot: Int) {
        counts[slot * cellsPerSlot + offsets[c] + binCounts[c]] += 1
    }

    /// Algorithm R over the (slot, column) reservoir.
    @inline(__always)
    mutating func sample(_ value: Double, column c: Int, slot: Int) {
        let cell = slot * columnCount + c
        let capacity = sampleCapacity[c]
        guard capacity > 0 else { return }
        seen[cell] += 1
        let held = kept[cell]
        if held < capacity {
            samples[slot * samplesPerSlot + sampleOffsets[c] + held] = value
            kept[cell] = held + 1
            return
        }
        // SplitMix64 step, then a uniform index below `seen` by multiply-high instead of division.
        random[cell] &+= 0x9E37_79B9_7F4A_7C15
        var z = random[cell]
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let j = Int(z.multipliedFullWidth(by: UInt64(seen[cell])).high)
        if j < capacity { samples[slot * samplesPerSlot + sampleOffsets[c] + j] = value }
    }

    /// One column of one slot, for reading and merging.
    func tally(column c: Int, slot: Int) -> ColumnTally {
        let start = slot * cellsPerSlot + offsets[c]
        let cell = slot * columnCount + c
        let base = slot * samplesPerSlot + sampleOffsets[c]
        return ColumnTally(
            bins: Array(counts[start..<(start + binCounts[c])]),
            missing: counts[start + binCounts[c]],
            sample: Reservoir(values: samples[base..<(base + kept[cell])], seen: seen[cell],
                              capacity: sampleCapacity[c], seed: random[cell]))
    }

    /// Adds `other`'s bucket in slot `slot` (same id) into ours.
    mutating func merge(slot: Int, from other: WindowBuckets) {
        let start = slot * cellsPerSlot
        for i in start..<(start + cellsPerSlot) { counts[i] += other.counts[i] }
        for c in 0..<columnCount where sampleCapacity[c] > 0 {
            var mine = tally(column: c, slot: slot).sample
            mine.merge(other.tally(column: c, slot: slot).sample)
            let cell = slot * columnCount + c
            let base = slot * samplesPerSlot + sampleOffsets[c]
            for (k, v) in mine.values.enumerated() { samples[base + k] = v }
            kept[cell] = mine.values.count
            seen[cell] = mine.seen
        }
    }

    /// Takes `other`'s bucket in slot `slot` in place of ours.
    mutating func replace(slot: Int, from other: WindowBuckets) {
        ids[slot] = other.ids[slot]
        let start = slot * cellsPerSlot
        for i in start..<(start + cellsPerSlot) { counts[i] = other.counts[i] }
        for c in 0..<columnCount {
            let cell = slot * columnCount + c
            kept[cell] = other.kept[cell]
            seen[cell] = other.seen[cell]
            let base = slot * samplesPerSlot + sampleOffsets[c]
            for k in base..<(base + other.kept[cell]) { samples[k] = other.samples[k] }
        }
    }
}
