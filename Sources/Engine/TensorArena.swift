import NightjarCore

/// Tensor buffers one run hands back for the next, so a warm run writes its activations (and its
/// labels, indices and masks) into memory the previous run used instead of allocating (and, for
/// large batches, zeroing) fresh arrays.
///
/// The graph plan decides when a buffer is dead (see `GraphPlan.Lifetimes`); kernels that write
/// their outputs with `floats(count:_:)` (or `int64s`, `int32s`, `bools`, `doubles`) draw from here. A session keeps a small pool of arenas and
/// checks one out per run, so concurrent runs never share one.
struct TensorArena: Sendable {
    /// Free buffers by element type: float activations, and the integer and boolean tensors of
    /// labels, indices and masks that classifiers and shape arithmetic pass between steps.
    private var floatPool = BufferPool<Float>()
    private var int64Pool = BufferPool<Int64>()
    private var int32Pool = BufferPool<Int32>()
    private var boolPool = BufferPool<Bool>()
    private var doublePool = BufferPool<Double>()
    /// Buffers this arena had to create, because none of the size was free or because writing to
    /// one copied it (another value still shared it). Zero per warm run is the goal.
    private(set) var created = 0

    /// Past this many floats kept (64 MiB), a new size clears the arena first: a changed workload
    /// (another batch size) should not leave the old one's buffers held forever. The other element
    /// types each get the same number of bytes.
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

    /// Any other small list of integers a step works out the same way every run (the strides of a
    /// Slice or Transpose): kept and handed back as shapes are.
    mutating func integers(count: Int, _ value: (Int) -> Int) -> [Int] {
        shape(rank: count, value)
    }

    /// A buffer of `count` floats written by `body`, which must set every element: a reused buffer
    /// still holds the last run's values.
    mutating func floats(count: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
        floatPool.buffer(count: count, filler: 0, created: &created, body)
    }

    /// `floats(count:_:)` for int64 elements (labels, indices, shapes).
    mutating func int64s(count: Int, _ body: (UnsafeMutableBufferPointer<Int64>) -> Void) -> [Int64] {
        int64Pool.buffer(count: count, filler: 0, created: &created, body)
    }

    /// `floats(count:_:)` for int32 elements.
    mutating func int32s(count: Int, _ body: (UnsafeMutableBufferPointer<Int32>) -> Void) -> [Int32] {
        int32Pool.buffer(count: count, filler: 0, created: &created, body)
    }

    /// `floats(count:_:)` for booleans (comparison masks).
    mutating func bools(count: Int, _ body: (UnsafeMutableBufferPointer<Bool>) -> Void) -> [Bool] {
        boolPool.buffer(count: count, filler: false, created: &created, body)
    }

    /// `floats(count:_:)` for doubles (sums kept in double precision, as onnxruntime keeps them).
    mutating func doubles(count: Int, _ body: (UnsafeMutableBufferPointer<Double>) -> Void) -> [Double] {
        doublePool.buffer(count: count, filler: 0, created: &created, body)
    }

    /// Keeps a tensor's buffer for a later request of its element type; other values are simply dropped.
    mutating func recycle(_ value: Value?) {
        guard case .tensor(let t)? = value else { return }
        switch t.data {
        case .float(let buffer): recycle(buffer)
        case .int64(let buffer): recycle(buffer)
        case .int32(let buffer): int32Pool.keep(buffer, limit: Self.limit(Int32.self))
        case .bool(let buffer): boolPool.keep(buffer, limit: Self.limit(Bool.self))
        case .double(let buffer): recycle(buffer)
        case .string: break
        }
    }

    /// Keeps a buffer the caller holds no other reference to (a kernel's scratch, say).
    mutating func recycle(_ buffer: [Float]) {
        floatPool.keep(buffer, limit: Self.retainedLimit)
    }

    /// `recycle(_:)` for int64 scratch.
    mutating func recycle(_ buffer: [Int64]) {
        int64Pool.keep(buffer, limit: Self.limit(Int64.self))
    }

    /// `recycle(_:)` for double scratch.
    mutating func recycle(_ buffer: [Double]) {
        doublePool.keep(buffer, limit: Self.limit(Double.self))
    }

    /// `retainedLimit`'s bytes in elements of another type.
    private static func limit<E>(_: E.Type) -> Int {
        retainedLimit * MemoryLayout<Float>.stride / MemoryLayout<E>.stride
    }
}

/// Free buffers of one element type by element count (`free[i]` holds buffers of `sizes[i]`
/// elements): a steady workload asks for the same few sizes run after run. Two arrays rather than
/// a dictionary: a dictionary's in-place update allocates its accessor's frame on every call.
private struct BufferPool<Element: Sendable>: Sendable {
    private var sizes: [Int] = []
    private var free: [[[Element]]] = []
    private var retained = 0

    /// A free buffer of `count` elements, or a new one filled with `filler`, written by `body`;
    /// `created` counts the buffers that had to be made.
    mutating func buffer(count: Int, filler: Element, created: inout Int,
                         _ body: (UnsafeMutableBufferPointer<Element>) -> Void) -> [Element] {
        guard count > 0 else { return [] }
        var buffer: [Element]
        // Popped in place: a copy of the list would be an allocation of its own.
        if let i = sizes.firstIndex(of: count), let last = free[i].popLast() {
            retained -= count
            buffer = last
        } else {
            created += 1
            buffer = [Element](repeating: filler, count: count)
        }
        let before = buffer.withUnsafeBufferPointer { $0.baseAddress }
        buffer.withUnsafeMutableBufferPointer { body($0) }
        // Writing to a buffer something else still holds copies it first: that is an allocation too.
        if buffer.withUnsafeBufferPointer({ $0.baseAddress }) != before { created += 1 }
        return buffer
    }

    /// Keeps `buffer` for a later `buffer(count:)`; past `limit` elements kept, a new size clears the pool first.
    mutating func keep(_ buffer: [Element], limit: Int) {
        guard !buffer.isEmpty else { return }
        if retained + buffer.count > limit {
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
