import NightjarCore

/// Float buffers one run hands back for the next, so a warm run writes its activations into memory
/// the previous run used instead of allocating (and, for large batches, zeroing) fresh arrays.
///
/// The graph plan decides when a buffer is dead (see `GraphPlan.Lifetimes`); kernels that write
/// their outputs with `floats(count:_:)` draw from here. A session keeps a small pool of arenas and
/// checks one out per run, so concurrent runs never share one.
struct TensorArena: Sendable {
    /// Free buffers by element count (`free[i]` holds buffers of `sizes[i]` floats): a steady
    /// workload asks for the same few sizes run after run. Two arrays rather than a dictionary:
    /// a dictionary's in-place update allocates its accessor's frame on every call.
    private var sizes: [Int] = []
    private var free: [[[Float]]] = []
    private var retained = 0
    /// Buffers this arena had to create, because none of the size was free or because writing to
    /// one copied it (another value still shared it). Zero per warm run is the goal.
    private(set) var created = 0

    /// Past this many floats kept (64 MiB), a new size clears the arena first: a changed workload
    /// (another batch size) should not leave the old one's buffers held forever.
    static let retainedLimit = 16 * 1024 * 1024

    /// Output shapes handed out since `startRun`, in the order asked for: a warm run asks for the
    /// same shapes in the same order, and handing back the stored array costs a retain where
    /// building a new one costs an allocation.
    private var shapes: [[Int]] = []
    private var nextShape = 0

    init() {}

    /// Marks the start of a run, so `shape(rank:_:)` compares with the previous run's shapes.
    mutating func startRun() { nextShape = 0 }

    /// The shape whose dimension `i` is `dim(i)`: the array this position handed out last run when
    /// equal, else a new one kept for the next.
    mutating func shape(rank: Int, _ dim: (Int) -> Int) -> [Int] {
        defer { nextShape += 1 }
        if nextShape < shapes.count {
            let last = shapes[nextShape]
            if last.count == rank, (0..<rank).allSatisfy({ last[$0] == dim($0) }) { return last }
        }
        let made = (0..<rank).map(dim)
        if nextShape < shapes.count { shapes[nextShape] = made } else { shapes.append(made) }
        return made
    }

    /// A buffer of `count` floats written by `body`, which must set every element: a reused buffer
    /// still holds the last run's values.
    mutating func floats(count: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
        guard count > 0 else { return [] }
        var buffer: [Float]
        // Popped in place: a copy of the list would be an allocation of its own.
        if let i = sizes.firstIndex(of: count), let last = free[i].popLast() {
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
            sizes.removeAll()
            free.removeAll()
            retained = 0
        }
        if let i = sizes.firstIndex(of: buffer.count) {
            free[i].append(buffer)
        } else {
            sizes.append(buffer.count)
            free.append([buffer])
        }
        retained += buffer.count
    }
}
