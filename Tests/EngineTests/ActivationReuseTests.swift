@testable import Engine
import Foundation
import NightjarCore
import Testing

/// Activation buffers planned at load and reused run after run (`TensorArena`, `ValueLifetimes`),
/// and the dense layers merged at load (`GraphFusion`).
struct ActivationReuseTests {
    static func session(_ name: String) throws -> (InferenceSession, [String: Tensor]) {
        let fixture = try Fixture.load(name)
        let session = try InferenceSession(contentsOf: Fixture.directory.appendingPathComponent(fixture.model))
        // The largest case: the batch the reuse matters for.
        guard let batch = fixture.cases.max(by: { ($0.inputs.first?.value.data?.count ?? 0) < ($1.inputs.first?.value.data?.count ?? 0) }) else {
            throw NightjarError.invalidArgument("fixture \(name) has no cases")
        }
        return (session, batch.inputs.mapValues(\.tensor))
    }

    @Test("warm runs allocate only the buffers of the outputs they return", arguments: ["mlp_classifier", "mlp_regressor", "torch_cnn2d", "torch_transformer_gelu"])
    func warmRunsReuseBuffers(name: String) throws {
        let (session, inputs) = try Self.session(name)
        let first = try session.run(inputs)
        _ = try session.run(inputs)
        let warm = session.activationBuffersCreated
        #expect(warm > 0, "the first run should have drawn its activations from the arena")
        for _ in 0..<3 {
            let again = try session.run(inputs)
            // A buffer recycled while a value still read it would change these.
            #expect(again == first)
        }
        // Outputs the caller keeps must be new every run; every activation between is reused.
        #expect(session.activationBuffersCreated - warm == 3 * session.plan.lifetimes.escapingArenaBuffers)
    }

    @Test("MatMul + Add + Relu load as one dense layer each")
    func denseLayersAreMerged() throws {
        let (session, _) = try Self.session("mlp_classifier")
        let ops = session.plan.steps.map(\.opType)
        #expect(!ops.contains("Add") && !ops.contains("Relu"), "\(ops)")
        #expect(session.plan.steps.filter { $0.kernel is DenseLayerKernel }.count == 3)
    }

    @Test("concurrent runs on one session each get their own buffers")
    func concurrentRuns() async throws {
        let (session, inputs) = try Self.session("mlp_classifier")
        guard case .float(let values)? = inputs["X"]?.data, let shape = inputs["X"]?.shape else {
            Issue.record("mlp_classifier's input X is not a float tensor")
            return
        }
        // Eight different inputs, their answers computed one at a time first.
        let variants = (0..<8).map { v in ["X": Tensor(shape: shape, data: .float(values.map { $0 * Float(v + 1) / 4 }))] }
        let expected = try variants.map { try session.run($0) }
        try await withThrowingTaskGroup(of: (Int, [String: Value]).self) { group in
            for _ in 0..<4 {
                for (index, input) in variants.enumerated() {
                    group.addTask { (index, try session.run(input)) }
                }
            }
            for try await (index, outputs) in group {
                #expect(outputs == expected[index])
            }
        }
    }
}
