import NightjarCore

/// Tensor buffers one run hands back for the next, so a warm run writes its activations (and its
/// labels, indices and masks) into memory the previous run used instead of allocating (and, for
/// large batches, zeroing) fresh arrays.
///
/// The graph plan decides when a buffer is dead (see `GraphPlan.Lifetimes`); kernels that write
/// their outputs with `floats(count:_:)` (or `int64s`, `int32s`, `bools`, `doubles`) draw from
/// here. A session keeps a small pool of arenas and checks one out per run, so concurrent runs
/// never share one.
struct TensorArena: Sendable {
    /// Free buffers by element type and count (`free[i]` holds buffers of key `keys[i]`, see
    /// `key`): a steady workload asks for the same few sizes run after run. Two arrays rather than
    /// a dictionary: a dictionary's in-place update allocates its accessor's frame on every call.
    /// One list for every element type rather than one per type: each array the arena holds costs
    /// a retain and a release whenever a run checks its scratch out and back in, which a pool per
    /// type made 6% of a small logistic regression's instructions.
    private var keys: [Int] = []
    private var free: [[TensorData]] = []
    private var retainedBytes = 0
    /// Buffers this arena had to create, because none of the size was free or because writing to
    /// one copied it (another value still shared it). Zero per warm run is the goal.
    private(set) var created = 0

    /// Past this many floats' bytes kept (64 MiB), a new size clears the arena first: a changed
    /// workload (another batch size) should not leave the old one's buffers held forever.
    static let retainedLimit = 16 * 1024 * 1024

    /// The element types the arena keeps; their raw values tell keys of one count apart.
    private enum Kind: Int {
        case float, int64, int32, bool, double
    }

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
        buffer(.float, count: count, filler: 0, body) { if case .float(let b) = $0 { b } else { nil } }
    }

    /// `floats(count:_:)` for int64 elements (labels, indices, shapes).
    mutating func int64s(count: Int, _ body: (UnsafeMutableBufferPointer<Int64>) -> Void) -> [Int64] {
        buffer(.int64, count: count, filler: 0, body) { if case .int64(let b) = $0 { b } else { nil } }
    }

    /// `floats(count:_:)` for int32 elements.
    mutating func int32s(count: Int, _ body: (UnsafeMutableBufferPointer<Int32>) -> Void) -> [Int32] {
        buffer(.int32, count: count, filler: 0, body) { if case .int32(let b) = $0 { b } else { nil } }
    }

    /// `floats(count:_:)` for booleans (comparison masks).
    mutating func bools(count: Int, _ body: (UnsafeMutableBufferPointer<Bool>) -> Void) -> [Bool] {
        buffer(.bool, count: count, filler: false, body) { if case .bool(let b) = $0 { b } else { nil } }
    }

    /// `floats(count:_:)` for doubles (sums kept in double precision, as onnxruntime keeps them).
    mutating func doubles(count: Int, _ body: (UnsafeMutableBufferPointer<Double>) -> Void) -> [Double] {
        buffer(.double, count: count, filler: 0, body) { if case .double(let b) = $0 { b } else { nil } }
    }

    /// Keeps a tensor's buffer for a later request of its element type; other values are simply dropped.
    /// Not inlined: a run's step loop calls it, and inlined there it made the loop big enough that
    /// the compiler stopped inlining the loop's own array resets (+300 instructions per run of a
    /// small classifier).
    @inline(never)
    mutating func recycle(_ value: Value?) {
        guard case .tensor(let t)? = value else { return }
        switch t.data {
        case .float(let buffer): recycle(buffer)
        case .int64(let buffer): recycle(buffer)
        case .int32(let buffer): keep(.int32(buffer), .int32, buffer.count, MemoryLayout<Int32>.stride)
        case .bool(let buffer): keep(.bool(buffer), .bool, buffer.count, MemoryLayout<Bool>.stride)
        case .double(let buffer): recycle(buffer)
        case .string: break
        }
    }

    /// Keeps a buffer the caller holds no other reference to (a kernel's scratch, say).
    mutating func recycle(_ buffer: [Float]) {
        keep(.float(buffer), .float, buffer.count, MemoryLayout<Float>.stride)
    }

    /// `recycle(_:)` for int64 scratch.
    mutating func recycle(_ buffer: [Int64]) {
        keep(.int64(buffer), .int64, buffer.count, MemoryLayout<Int64>.stride)
    }

    /// `recycle(_:)` for double scratch.
    mutating func recycle(_ buffer: [Double]) {
        keep(.double(buffer), .double, buffer.count, MemoryLayout<Double>.stride)
    }

    private static func key(_ kind: Kind, _ count: Int) -> Int { count &* 8 &+ kind.rawValue }

    /// A free buffer of `count` elements of `kind`, or a new one filled with `filler`, written by
    /// `body`. Always inlined, as `floats(count:_:)` was before it served other types: kernels
    /// write their outputs in `body`, and called through a closure context rather than inlined, a
    /// tree ensemble's traversal ran 10% more instructions.
    @inline(__always)
    private mutating func buffer<E>(_ kind: Kind, count: Int, filler: E, _ body: (UnsafeMutableBufferPointer<E>) -> Void,
                                    _ elements: (TensorData) -> [E]?) -> [E] {
        guard count > 0 else { return [] }
        var buffer: [E]
        // Popped in place: a copy of the list would be an allocation of its own.
        if let i = keys.firstIndex(of: Self.key(kind, count)), let last = free[i].popLast(), let kept = elements(last) {
            retainedBytes -= count * MemoryLayout<E>.stride
            buffer = kept
        } else {
            created += 1
            buffer = [E](repeating: filler, count: count)
        }
        let before = buffer.withUnsafeBufferPointer { $0.baseAddress }
        buffer.withUnsafeMutableBufferPointer { body($0) }
        // Writing to a buffer something else still holds copies it first: that is an allocation too.
        if buffer.withUnsafeBufferPointer({ $0.baseAddress }) != before { created += 1 }
        return buffer
    }

    private mutating func keep(_ data: TensorData, _ kind: Kind, _ count: Int, _ stride: Int) {
        guard count > 0 else { return }
        let bytes = count * stride
        if retainedBytes + bytes > Self.retainedLimit * MemoryLayout<Float>.stride {
            keys.removeAll()
            free.removeAll()
            retainedBytes = 0
        }
        let key = Self.key(kind, count)
        if let i = keys.firstIndex(of: key) {
            free[i].append(data)
        } else {
            keys.append(key)
            free.append([data])
        }
        retainedBytes += bytes
    }
}
