import NightjarCore
import Synchronization

/// Dynamic batching: requests queue here and are merged into one engine call of up to `maxBatchRows`
/// rows, or whatever queued within `maxQueueDelay` of the oldest waiting request, whichever comes
/// first; the answer is split back so each caller gets its own rows.
///
/// One consumer loop (`run()`) makes the engine calls, so while it computes one batch the next one
/// fills up. Only requests whose inputs have the same trailing shapes are merged, and only along a
/// batch dimension the schema leaves free (`-1` first); anything else runs alone.
public final class Batcher: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Most rows merged into one engine call.
        public var maxBatchRows: Int
        /// How long the oldest queued request may wait for others to join it.
        public var maxQueueDelay: Duration
        /// Most requests waiting; beyond it requests are refused with 503.
        public var maxQueue: Int

        public init(maxBatchRows: Int = 32, maxQueueDelay: Duration = .zero, maxQueue: Int = 1024) {
            self.maxBatchRows = max(1, maxBatchRows)
            self.maxQueueDelay = max(.zero, maxQueueDelay)
            self.maxQueue = max(1, maxQueue)
        }
    }

    /// What one caller gets back.
    public struct Answer: Sendable {
        public var outputs: [String: Tensor]
        /// Rows of the engine call that served it (its own and those merged with it).
        public var batchRows: Int
    }

    struct Pending {
        var inputs: [String: Tensor]
        var rows: Int
        /// Requests merge only with requests of the same key; nil never merges.
        var mergeKey: [MergeKeyPart]?
        var enqueued: ContinuousClock.Instant
        var continuation: CheckedContinuation<Answer, any Error>
    }

    struct State {
        var queue: [Pending] = []
        var queuedRows = 0
        var stopped = false
        /// The consumer waiting for the first request.
        var workWaiter: CheckedContinuation<Bool, Never>?
        /// The consumer waiting for a full batch or the oldest request's deadline.
        var fullWaiter: CheckedContinuation<Void, Never>?
    }

    public let configuration: Configuration
    let servable: any ServableModel
    let stats: WorkerStats
    private let state = Mutex(State())
    /// Inputs the schema lets grow along the first dimension; only these make a request mergeable.
    private let batchableInputs: Set<String>

    public init(servable: any ServableModel, stats: WorkerStats, configuration: Configuration = .init()) {
        self.servable = servable
        self.stats = stats
        self.configuration = configuration
        let inputs = servable.schema.inputs
        self.batchableInputs = inputs.allSatisfy { ($0.shape.first ?? 0) < 0 } ? Set(inputs.map(\.name)) : []
        // The consumer loop holds the batcher until `stop()` ends it.
        Task { await self.run() }
    }

    /// Requests waiting right now.
    public var queueDepth: Int { state.withLock { $0.queue.count } }

    /// Queues checked inputs and waits for their outputs. Throws `BatcherError.queueFull` when
    /// `maxQueue` requests already wait, `.stopped` after `stop()`.
    public func submit(_ inputs: [String: Tensor]) async throws -> Answer {
        let (rows, key) = mergeKey(inputs)
        return try await withCheckedThrowingContinuation { continuation in
            let pending = Pending(inputs: inputs, rows: rows, mergeKey: key, enqueued: .now, continuation: continuation)
            enum Outcome { case queued(depth: Int, CheckedContinuation<Bool, Never>?, CheckedContinuation<Void, Never>?), full, stopped }
            let outcome: Outcome = state.withLock { s in
                if s.stopped { return .stopped }
                guard s.queue.count < configuration.maxQueue else { return .full }
                s.queue.append(pending)
                s.queuedRows += rows
                let work = s.workWaiter
                s.workWaiter = nil
                var full: CheckedContinuation<Void, Never>?
                if s.queuedRows >= configuration.maxBatchRows {
                    full = s.fullWaiter
                    s.fullWaiter = nil
                }
                return .queued(depth: s.queue.count, work, full)
            }
            switch outcome {
            case .stopped: continuation.resume(throwing: BatcherError.stopped)
            case .full: continuation.resume(throwing: BatcherError.queueFull(configuration.maxQueue))
            case .queued(let depth, let work, let full):
                stats.setQueueDepth(depth)
                work?.resume(returning: true)
                full?.resume()
            }
        }
    }

    /// One input's part of a merge key.
    struct MergeKeyPart: Equatable {
        var name: String
        var dataType: DataType
        var trailingShape: ArraySlice<Int>
    }

    /// Rows of the request and the key it merges under: input names with their trailing shapes and
    /// types. Plain values rather than a formatted string: this runs for every request.
    private func mergeKey(_ inputs: [String: Tensor]) -> (rows: Int, key: [MergeKeyPart]?) {
        let rows = inputs.values.first?.rows ?? 1
        guard !batchableInputs.isEmpty, inputs.count == batchableInputs.count, inputs.keys.allSatisfy(batchableInputs.contains),
              inputs.values.allSatisfy({ $0.rows == rows }) else { return (rows, nil) }
        let key = inputs.sorted { $0.key < $1.key }
            .map { MergeKeyPart(name: $0.key, dataType: $0.value.dataType, trailingShape: $0.value.shape.dropFirst()) }
        return (rows, key)
    }

    /// The consumer loop: runs until `stop()`.
    private func run() async {
        while await nextWork() {
            if configuration.maxQueueDelay > .zero { await waitForFullBatchOrDeadline() }
            let (batch, depth) = takeBatch()
            stats.setQueueDepth(depth)
            if !batch.isEmpty { execute(batch) }
        }
    }

    /// Refuses new requests, fails those still queued, and ends `run()`.
    public func stop() {
        let (queued, work, full) = state.withLock { s in
            s.stopped = true
            let taken = (s.queue, s.workWaiter, s.fullWaiter)
            s.queue = []
            s.queuedRows = 0
            s.workWaiter = nil
            s.fullWaiter = nil
            return taken
        }
        for p in queued { p.continuation.resume(throwing: BatcherError.stopped) }
        work?.resume(returning: false)
        full?.resume()
    }

    /// Waits until a request is queued; false once stopped.
    private func nextWork() async -> Bool {
        await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            let ready: Bool? = state.withLock { s in
                if s.stopped { return false }
                if !s.queue.isEmpty { return true }
                s.workWaiter = c
                return nil
            }
            if let ready { c.resume(returning: ready) }
        }
    }

    private func waitForFullBatchOrDeadline() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let deadline: ContinuousClock.Instant? = state.withLock { s in
                guard let oldest = s.queue.first, !s.stopped, s.queuedRows < configuration.maxBatchRows else { return nil }
                let deadline = oldest.enqueued + configuration.maxQueueDelay
                guard deadline > .now else { return nil }
                s.fullWaiter = c
                return deadline
            }
            guard let deadline else { return c.resume() }
            Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                let waiter = self.state.withLock { s in
                    let w = s.fullWaiter
                    s.fullWaiter = nil
                    return w
                }
                waiter?.resume()
            }
        }
    }

    /// The oldest request and, if it merges, later ones of the same key while the rows fit; and how
    /// many requests are left waiting.
    private func takeBatch() -> (batch: [Pending], depth: Int) {
        state.withLock { s in
            guard !s.queue.isEmpty else { return ([], 0) }
            let first = s.queue.removeFirst()
            var batch = [first]
            var rows = first.rows
            if let key = first.mergeKey {
                var i = 0
                while i < s.queue.count, rows < configuration.maxBatchRows {
                    let p = s.queue[i]
                    if p.mergeKey == key, rows + p.rows <= configuration.maxBatchRows {
                        batch.append(p)
                        rows += p.rows
                        s.queue.remove(at: i)
                    } else {
                        i += 1
                    }
                }
            }
            s.queuedRows -= rows
            return (batch, s.queue.count)
        }
    }

    private func execute(_ batch: [Pending]) {
        if batch.count > 1, let merged = mergedInputs(batch) {
            let total = batch.reduce(0) { $0 + $1.rows }
            if let outputs = try? timedPredict(merged, rows: total), let split = split(outputs, batch) {
                for (p, outputs) in zip(batch, split) {
                    p.continuation.resume(returning: Answer(outputs: outputs, batchRows: total))
                }
                return
            }
            // The merged call failed or its outputs do not split by row: answer each on its own, so one
            // caller's problem is never another's.
        }
        for p in batch {
            do {
                let outputs = try timedPredict(p.inputs, rows: p.rows)
                p.continuation.resume(returning: Answer(outputs: outputs, batchRows: p.rows))
            } catch {
                p.continuation.resume(throwing: error)
            }
        }
    }

    private func timedPredict(_ inputs: [String: Tensor], rows: Int) throws -> [String: Tensor] {
        let clock = ContinuousClock()
        let start = clock.now
        defer { stats.recordEngineCall(rows: rows, elapsed: clock.now - start) }
        return try servable.predict(inputs)
    }

    private func mergedInputs(_ batch: [Pending]) -> [String: Tensor]? {
        var merged: [String: Tensor] = [:]
        for name in batch[0].inputs.keys {
            guard let tensor = Tensor.concatenatingRows(batch.compactMap { $0.inputs[name] }) else { return nil }
            merged[name] = tensor
        }
        return merged
    }

    /// Each caller's rows of every output; nil when an output does not have one row per input row.
    private func split(_ outputs: [String: Tensor], _ batch: [Pending]) -> [[String: Tensor]]? {
        var answers = Array(repeating: [String: Tensor](), count: batch.count)
        let total = batch.reduce(0) { $0 + $1.rows }
        for (name, tensor) in outputs {
            guard tensor.rows == total else { return nil }
            var offset = 0
            for (i, p) in batch.enumerated() {
                guard let part = tensor.rows(offset..<(offset + p.rows)) else { return nil }
                answers[i][name] = part
                offset += p.rows
            }
        }
        return answers
    }
}

public enum BatcherError: Error, Sendable, Equatable, CustomStringConvertible {
    case queueFull(Int)
    case stopped

    public var description: String {
        switch self {
        case .queueFull(let n): "the worker's queue is full (\(n) requests waiting); retry shortly or add workers"
        case .stopped: "the worker is shutting down and takes no new requests"
        }
    }
}
