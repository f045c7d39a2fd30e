import AllocationCounter
@testable import Engine
import Foundation
import NightjarCore
import Testing

/// A warm run allocates what it hands the caller and nothing per step: heap allocations are
/// counted on the test's thread by `AllocationCounter`, which stands in for glibc's malloc.
struct WarmRunAllocationTests {
    /// Heap allocations the calling thread makes in `body`.
    static func allocations(_ body: () throws -> Void) rethrows -> Int {
        nj_allocations_start()
        defer { _ = nj_allocations_stop() }
        try body()
        return nj_allocations_stop()
    }

    @Test("the counter sees an allocation")
    func counterCounts() {
        let count = Self.allocations {
            let array = [Int](repeating: 7, count: Int.random(in: 100...200))
            #expect(array.count >= 100)
        }
        #expect(count >= 1)
    }

    /// Allocations of a warm batch-1 run of the fixture, and what it may allocate: the output
    /// dictionary, and each returned tensor's values and shape.
    static func warmRun(_ name: String) throws -> (count: Int, returned: Int) {
        let fixture = try Fixture.load(name)
        let session = try InferenceSession(contentsOf: Fixture.directory.appendingPathComponent(fixture.model))
        guard let smallest = fixture.cases.min(by: { ($0.inputs.first?.value.data?.count ?? 0) < ($1.inputs.first?.value.data?.count ?? 0) }) else {
            throw NightjarError.invalidArgument("fixture \(name) has no cases")
        }
        let inputs = smallest.inputs.mapValues(\.tensor)
        for _ in 0..<3 { _ = try session.run(inputs) }
        var outputs: [String: Value] = [:]
        let count = try allocations { outputs = try session.run(inputs) }
        return (count, 1 + 2 * outputs.count)
    }

    /// Every fixture, so a model added to the set is held to it too. Among them: skl2onnx's
    /// one-vs-rest SVM graphs (comparisons, casts, Sum, Concat), labels through ArgMax,
    /// ArrayFeatureExtractor and Cast (int64 and int32 steps), ZipMap's maps, PyTorch's shape
    /// arithmetic, Slice, Transpose, batched MatMul and LayerNormalization, its Gemm layers, Conv,
    /// pooling and Flatten, the tree ensembles of every converter, and string columns through
    /// OneHotEncoder next to numbers through Imputer and Scaler.
    @Test("a warm batch-1 run allocates only the outputs it returns", arguments: Fixture.names)
    func warmRunAllocatesOnlyItsOutputs(name: String) throws {
        let (count, returned) = try Self.warmRun(name)
        #expect(count <= returned, "\(name): a warm run made \(count) allocations, more than the \(returned) of what it returns")
    }
}
