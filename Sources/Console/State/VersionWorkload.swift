import NightjarCore

/// What a version's own workers say about themselves, which the gateway's numbers cannot: answers
/// by HTTP status, how many rows each engine call merged, CPU and resident memory. Summed over the
/// version's ready workers, from the `/v1/stats` the console already polls.
struct VersionWorkload: Sendable, Equatable {
    /// Ready workers of the version whose stats have arrived.
    var reporting = 0
    /// 60 when every reporting worker gave its one-minute window; nil when the counts are since
    /// each worker started (older workers send no windows).
    var windowSeconds: Int?
    var requests = 0
    var errorsByStatus: [Int: Int] = [:]
    /// Engine calls by the number of rows merged into the call.
    var batchSizes: [Int: Int] = [:]
    /// Percent of one core, summed over workers; nil until two snapshots of a worker were compared.
    var cpuPercent: Double?
    var residentBytes: Int?

    static let window = 60

    init(_ rows: [AppState.WorkerRow], model: ModelRef) {
        let mine = rows.filter { $0.info.model == model && $0.info.state == .ready }
        let stats = mine.compactMap(\.stats)
        reporting = stats.count
        let windows = stats.compactMap { $0.windows?.first { $0.seconds == Self.window } }
        if !stats.isEmpty && windows.count == stats.count {
            windowSeconds = Self.window
            for w in windows {
                requests += w.requests
                Self.add(w.errorsByStatus, into: &errorsByStatus)
                Self.add(w.batchSizes, into: &batchSizes)
            }
        } else {
            for s in stats {
                requests += s.requestsTotal
                Self.add(s.errorsByStatus ?? [:], into: &errorsByStatus)
                Self.add(s.batchSizes ?? [:], into: &batchSizes)
            }
        }
        for row in mine {
            if let cpu = row.cpuPercent { cpuPercent = (cpuPercent ?? 0) + cpu }
            if let rss = row.stats?.process?.residentMemoryBytes { residentBytes = (residentBytes ?? 0) + rss }
        }
    }

    /// Answers that were not errors: the worker counts every status of 400 and above as one.
    var successes: Int { max(0, requests - errorsByStatus.values.reduce(0, +)) }

    /// Keys that are not numbers (none today) are dropped rather than guessed at.
    private static func add(_ counts: [String: Int], into total: inout [Int: Int]) {
        for (key, n) in counts {
            if let k = Int(key) { total[k, default: 0] += n }
        }
    }

    /// Engine calls grouped by rows merged: 1, 2, 3-4, 5-8, … (powers of two), with each group's
    /// share of calls. Empty when no call was made.
    var batchGroups: [(label: String, share: Double)] {
        let calls = batchSizes.values.reduce(0, +)
        guard calls > 0 else { return [] }
        var groups: [(low: Int, high: Int, count: Int)] = []
        for (size, n) in batchSizes.sorted(by: { $0.key < $1.key }) where n > 0 {
            var high = 1
            while high < size { high *= 2 }
            let low = high <= 2 ? high : high / 2 + 1
            if let last = groups.indices.last, groups[last].high == high {
                groups[last].count += n
            } else {
                groups.append((low, high, n))
            }
        }
        return groups.map { g in (g.low == g.high ? "\(g.low)" : "\(g.low)-\(g.high)", Double(g.count) / Double(calls)) }
    }

    /// Mean rows per engine call.
    var meanBatch: Double? {
        let calls = batchSizes.values.reduce(0, +)
        guard calls > 0 else { return nil }
        return Double(batchSizes.reduce(0) { $0 + $1.key * $1.value }) / Double(calls)
    }
}
