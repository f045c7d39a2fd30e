import Foundation
import NightjarCore

/// Live values of a model version's watched columns over the last few minutes, binned like its
/// reference profile, ready for `DriftReport.compare`.
///
/// Time is cut into buckets of `bucketSeconds`; the window keeps the latest `bucketCount` of them
/// in a ring and merges them on read, so "the last 10 minutes" slides one bucket at a time. Adding
/// a value is a dictionary lookup (by column name; none by index), a binary search over the
/// column's edges, a counter increment and a reservoir step; every bucket's storage is allocated
/// up front, so nothing is allocated per value.
///
/// Windows are mergeable: two windows from the same profile (say, two workers serving one version)
/// merge bucket by bucket into what one window fed both streams would hold: counts exactly, samples
/// as a proportional draw from both (exactly both when they are under capacity).
///
/// A `DriftWindow` is a value with no locking of its own: the owner serialises access, for
/// instance by keeping it inside an actor or behind a `Mutex`.
public struct DriftWindow: Sendable {
    public let profile: ReferenceProfile
    public let bucketSeconds: Int
    public let bucketCount: Int
    /// Sample kept per numeric column per bucket.
    public let samplePerBucket: Int
    /// Sample kept per numeric column when the buckets are merged on read.
    public let sampleSize: Int

    let layout: WindowLayout
    private var buckets: WindowBuckets
    /// The newest bucket that received a value or was merged in.
    private var newest: Int64

    public init(profile: ReferenceProfile, bucketSeconds: Int = 60, bucketCount: Int = 10,
                samplePerBucket: Int = 512, sampleSize: Int = 2048) {
        self.profile = profile
        // Bounded so a mistyped flag cannot overflow `windowSeconds` or ask for gigabytes.
        self.bucketSeconds = min(max(bucketSeconds, 1), 86_400)
        self.bucketCount = min(max(bucketCount, 1), 10_000)
        self.samplePerBucket = min(max(samplePerBucket, 0), 100_000)
        self.sampleSize = min(max(sampleSize, 0), 100_000)
        let layout = WindowLayout(profile: profile)
        self.layout = layout
        let perBucket = self.samplePerBucket
        buckets = WindowBuckets(slotCount: self.bucketCount, binCounts: layout.columns.map(\.binCount),
                                sampleCapacity: layout.columns.map { $0.kind == .numeric ? perBucket : 0 })
        newest = .min
    }

    /// How much time the window covers.
    public var windowSeconds: Int { bucketSeconds * bucketCount }

    /// The position of a watched column, for callers that add many values and want to skip the
    /// name lookup.
    public func columnIndex(named name: String) -> Int? { layout.index[name] }

    /// Watched column names, in index order.
    public var columnNames: [String] { layout.columns.map(\.name) }

    // MARK: Adding

    /// Adds one value of column `name`. Values of columns the profile does not watch are ignored
    /// (the return value says whether it was counted), as are values too old for the window.
    @discardableResult
    public mutating func add(_ value: Double, column name: String, at time: Date) -> Bool {
        guard let c = layout.index[name] else { return false }
        return add(value, columnAt: c, at: time)
    }

    /// Adds one categorical value (or a number written as text) of column `name`.
    @discardableResult
    public mutating func add(_ value: String, column name: String, at time: Date) -> Bool {
        guard let c = layout.index[name] else { return false }
        return add(value, columnAt: c, at: time)
    }

    @discardableResult
    public mutating func add(_ value: Double, columnAt c: Int, at time: Date) -> Bool {
        guard layout.columns.indices.contains(c), let b = bucket(for: time) else { return false }
        tally(value, column: c, bucket: b)
        return true
    }

    @discardableResult
    public mutating func add(_ value: String, columnAt c: Int, at time: Date) -> Bool {
        guard layout.columns.indices.contains(c), let b = bucket(for: time) else { return false }
        tally(value, column: c, bucket: b)
        return true
    }

    /// Adds one row given as column name → value.
    public mutating func add(row: [String: Double], at time: Date) {
        guard let b = bucket(for: time) else { return }
        for (name, value) in row {
            if let c = layout.index[name] { tally(value, column: c, bucket: b) }
        }
    }

    /// Adds every row of a batch tensor, an input of a request or an output of the model, using
    /// the column naming of `TensorColumns` (`x` for `[n]`, `x[j]` for `[n, k]`).
    public mutating func add(tensor: Tensor, named name: String, at time: Date) {
        guard let b = bucket(for: time) else { return }
        let width = TensorColumns.width(of: tensor.shape)
        guard width > 0 else { return }
        let slots: [Int]
        if tensor.shape.count < 2 {
            guard let c = layout.index[name] else { return }
            slots = [c]
        } else {
            guard let s = layout.tensorColumns[name] else { return }
            slots = s
        }
        func each<T>(_ values: [T], _ body: (inout DriftWindow, T, Int) -> Void) {
            var j = 0
            for v in values {
                if j < slots.count, slots[j] >= 0 { body(&self, v, slots[j]) }
                j += 1
                if j == width { j = 0 }
            }
        }
        switch tensor.data {
        case .float(let v): each(v) { w, x, c in w.tally(Double(x), column: c, bucket: b) }
        case .double(let v): each(v) { w, x, c in w.tally(x, column: c, bucket: b) }
        case .int64(let v): each(v) { w, x, c in w.tally(label: x, column: c, bucket: b) }
        case .int32(let v): each(v) { w, x, c in w.tally(label: Int64(x), column: c, bucket: b) }
        case .bool(let v): each(v) { w, x, c in w.tally(x ? "true" : "false", column: c, bucket: b) }
        case .string(let v): each(v) { w, x, c in w.tally(x, column: c, bucket: b) }
        }
    }

    // MARK: Merging and reading

    /// Folds another window's buckets into this one. Both must come from the same profile and the
    /// same bucket length and count.
    public mutating func merge(_ other: DriftWindow) throws(NightjarError) {
        guard other.bucketSeconds == bucketSeconds, other.bucketCount == bucketCount else {
            throw .invalidArgument("cannot merge drift windows of \(other.bucketCount)×\(other.bucketSeconds) s into \(bucketCount)×\(bucketSeconds) s")
        }
        guard other.profile == profile else {
            throw .invalidArgument("cannot merge drift windows built from different reference profiles")
        }
        newest = max(newest, other.newest)
        // Equal ids sit in equal slots in both rings (same bucket count), so slots pair up.
        for s in 0..<bucketCount {
            let theirs = other.buckets.ids[s]
            guard theirs != .min, theirs > newest - Int64(bucketCount) else { continue }
            if buckets.ids[s] == theirs {
                buckets.merge(slot: s, from: other.buckets)
            } else if buckets.ids[s] < theirs {
                buckets.replace(slot: s, from: other.buckets)
            }
        }
    }

    /// The buckets covering the `bucketCount` bucket lengths up to `now`, merged.
    public func counts(at now: Date) -> WindowCounts {
        let current = bucketID(now)
        let live = (0..<bucketCount)
            .filter { buckets.ids[$0] != .min && buckets.ids[$0] <= current && buckets.ids[$0] > current - Int64(bucketCount) }
            .sorted { buckets.ids[$0] < buckets.ids[$1] }
        let columns = layout.columns.enumerated().map { c, column in
            var merged = ColumnTally(binCount: column.binCount,
                                     sampleCapacity: column.kind == .numeric ? sampleSize : 0,
                                     seed: UInt64(c))
            for s in live { merged.merge(buckets.tally(column: c, slot: s)) }
            return ColumnCounts(name: column.name, role: column.role, kind: column.kind,
                                bins: merged.bins, missing: merged.missing,
                                sample: merged.sample.values.sorted())
        }
        return WindowCounts(windowSeconds: windowSeconds, columns: columns)
    }

    // MARK: Internals

    private func bucketID(_ time: Date) -> Int64 {
        let t = (time.timeIntervalSince1970 / Double(bucketSeconds)).rounded(.down)
        // Clamp so absurd clocks cannot trap the conversion.
        return Int64(min(max(t, -9.0e15), 9.0e15))
    }

    private func slot(of id: Int64) -> Int {
        let n = Int64(bucketCount)
        return Int(((id % n) + n) % n)
    }

    /// The ring slot for `time`, recycling the oldest bucket when time moves on; nil when the
    /// time is already outside the window.
    private mutating func bucket(for time: Date) -> Int? {
        let id = bucketID(time)
        if newest != .min, id <= newest - Int64(bucketCount) { return nil }
        let s = slot(of: id)
        if buckets.ids[s] == id { return s }
        if buckets.ids[s] > id { return nil }
        buckets.reset(slot: s, id: id)
        newest = max(newest, id)
        return s
    }

    // The tally functions read the layout in place (`layout.columns[c].edges`) rather than copying
    // the column out: a copy retains and releases its arrays and dictionaries on every value.

    private mutating func tally(_ value: Double, column c: Int, bucket b: Int) {
        switch layout.columns[c].kind {
        case .numeric:
            guard value.isFinite else {
                buckets.countMissing(column: c, slot: b)
                return
            }
            buckets.count(bin: NumericProfile.bin(of: value, edges: layout.columns[c].edges), column: c, slot: b)
            buckets.sample(value, column: c, slot: b)
        case .categorical:
            // A class label that arrived as a float tensor.
            if value.isFinite, value == value.rounded(), abs(value) < 9.0e15, let i = layout.columns[c].labels[Int64(value)] {
                buckets.count(bin: i, column: c, slot: b)
            } else {
                buckets.count(bin: layout.columns[c].binCount - 1, column: c, slot: b)
            }
        }
    }

    private mutating func tally(label: Int64, column c: Int, bucket b: Int) {
        switch layout.columns[c].kind {
        case .numeric: tally(Double(label), column: c, bucket: b)
        case .categorical:
            buckets.count(bin: layout.columns[c].labels[label] ?? layout.columns[c].binCount - 1, column: c, slot: b)
        }
    }

    private mutating func tally(_ value: String, column c: Int, bucket b: Int) {
        switch layout.columns[c].kind {
        case .numeric: tally(Double(value) ?? .nan, column: c, bucket: b)
        case .categorical:
            buckets.count(bin: layout.columns[c].categories[value] ?? layout.columns[c].binCount - 1, column: c, slot: b)
        }
    }
}
