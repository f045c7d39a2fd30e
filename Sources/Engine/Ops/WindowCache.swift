import NightjarCore
import Synchronization

/// What a window kernel (Conv, pooling) works out from its input's spatial shape and its kernel's
/// shape — the resolved axes, tap lists, divisors — kept for the next run. A serving workload
/// sends the same image size run after run, and building those lists again was most of a warm
/// run's allocations. Holds the last shape's entry; concurrent runs share it under a lock, and a
/// run with another shape replaces it.
final class WindowCache<Entry: Sendable>: Sendable {
    private let last = Mutex<(spatial: [Int], kernel: [Int], entry: Entry)?>(nil)

    init() {}

    /// The entry for these shapes: the kept one when both are equal to its shapes, else `make()`'s.
    func entry(spatial: ArraySlice<Int>, kernel: ArraySlice<Int>,
               _ make: () throws(NightjarError) -> Entry) throws(NightjarError) -> Entry {
        let kept = last.withLock { cached -> Entry? in
            guard let cached, cached.spatial.elementsEqual(spatial), cached.kernel.elementsEqual(kernel) else { return nil }
            return cached.entry
        }
        if let kept { return kept }
        let made = try make()
        last.withLock { $0 = (Array(spatial), Array(kernel), made) }
        return made
    }
}
