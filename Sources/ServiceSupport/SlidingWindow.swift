import Foundation

/// What one slice of time saw; slices merge into the numbers of a whole window.
public protocol WindowSlice {
    /// An empty slice.
    init()
    mutating func merge(_ other: Self)
}

/// A ring of fixed-width slices of time covering the last `windowSeconds`. Recording touches only the
/// slice of the current moment; reading merges the slices still inside the window. A plain value:
/// callers keep it behind their own lock.
public struct SlidingWindow<Slice: WindowSlice> {
    public let windowSeconds: Int
    public let sliceSeconds: Int
    private var slices: [(index: Int64, slice: Slice?)]

    /// `windowSeconds` is rounded up to a whole number of slices.
    public init(windowSeconds: Int, sliceSeconds: Int = 1) {
        self.sliceSeconds = max(1, sliceSeconds)
        let count = max(1, (windowSeconds + self.sliceSeconds - 1) / self.sliceSeconds)
        self.windowSeconds = count * self.sliceSeconds
        self.slices = Array(repeating: (index: -1, slice: nil), count: count)
    }

    private func sliceIndex(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down)) / Int64(sliceSeconds)
    }

    /// Changes the slice of `now`, starting it afresh when it last held an older period.
    public mutating func update(at now: Date, _ body: (inout Slice) -> Void) {
        let index = sliceIndex(now)
        let slot = Int(index % Int64(slices.count))
        if slices[slot].index != index || slices[slot].slice == nil {
            slices[slot] = (index, Slice())
        }
        // Slices are kept optional so an idle worker never allocates what it does not use.
        if var slice = slices[slot].slice {
            slices[slot].slice = nil
            body(&slice)
            slices[slot].slice = slice
        }
    }

    /// Everything inside the window ending at `now` (the current, still-filling slice included).
    public func merged(at now: Date) -> Slice {
        let newest = sliceIndex(now)
        let oldest = newest - Int64(slices.count) + 1
        var total = Slice()
        for entry in slices where entry.index >= oldest && entry.index <= newest {
            if let slice = entry.slice { total.merge(slice) }
        }
        return total
    }

    /// Seconds the window covers at `now` for something that started at `start`: the full length
    /// once it has run that long, at least one second so rates never divide by zero.
    public func coveredSeconds(at now: Date, since start: Date) -> Double {
        min(Double(windowSeconds), max(now.timeIntervalSince(start), 1))
    }
}
