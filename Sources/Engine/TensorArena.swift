import NightjarCore

/// Float buffers one run hands back for the next, so a warm run writes its activations into memory
/// the previous run used instead of allocating (and, for large batches, zeroing) fresh arrays.
///
/// The graph plan decides when a buffer is dead (see `GraphPlan.Lifetimes`); kernels that write
/// their outputs with `floats(count:_:)` draw from here. A session keeps a small pool of arenas and
/// checks one out per run, so concurrent runs never share one.
struct TensorArena: Sendable {
    /// Free buffers by element count: a steady workload asks for the same sizes run after run.
    private var free: [Int: [[Float]]] = [:]
    private var retained = 0
    /// Buffers this arena had to create, because none of the size was free or because writing to
    /// one copied it (another value still shared it). Zero per warm run is the goal.
    private(set) var created = 0

    /// Past this many floats kept (64 MiB), a new size clears the arena first: a changed workload
    /// (another batch size) should not leave the old one's buffers held forever.
    static let retainedLimit = 16 * 1024 * 1024

    init() {}

    /// A buffer of `count` floats written by `body`, which must set every element: a reused buffer
    /// still holds the last run's values.
    mutating func floats(count: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
        guard count > 0 else { return [] }
        var buffer: [Float]
        // Popped in place: a copy of the list would be an allocation of its own.
        if let last = free[count]?.popLast() {
            retained -= count
            buffer = last
        } else {
            created += 1
            buffer = [Float](repeating: 0, count: count)
        }
        let before = buffer.withUnsafeBufferPointer { $0.baseAddress }
        buffer.withUnsafeMutableBufferPointer { body($0) }
        // Writing to a buffer something else still holds copies it first: that is an allocation too.
        if buffer.withUnsafeBufferPointer({ $0.baseAddress }) != before { created += 1 }
        return buffer
    }

    /// Keeps a float tensor's buffer for a later `floats(count:)`; other values are simply dropped.
    mutating func recycle(_ value: Value?) {
        guard case .tensor(let t)? = value, case .float(let buffer) = t.data else { return }
        recycle(buffer)
    }

    /// Keeps a buffer the caller holds no other reference to (a kernel's scratch, say).
    mutating func recycle(_ buffer: [Float]) {
        guard !buffer.isEmpty else { return }
        if retained + buffer.count > Self.retainedLimit {
            free.removeAll()
            retained = 0
        }
        free[buffer.count, default: []].append(buffer)
        retained += buffer.count
    }
}
