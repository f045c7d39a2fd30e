import Engine
import Foundation
import NightjarCore
import Testing

@Suite struct LoadErrorTests {
    let fixtures = Fixture.directory

    @Test func aFileThatIsNotONNXSaysSo() {
        #expect {
            _ = try InferenceSession(contentsOf: fixtures.appendingPathComponent("not_onnx.onnx"))
        } throws: { error in
            String(describing: error).hasPrefix("not an ONNX model")
        }
        #expect(throws: NightjarError.self) { _ = try InferenceSession(modelData: Data()) }
    }

    @Test func anUnsupportedOperatorIsNamedWithNodeDomainAndOpset() {
        #expect {
            _ = try InferenceSession(contentsOf: fixtures.appendingPathComponent("unsupported_celu.onnx"))
        } throws: { error in
            let text = String(describing: error)
            return text.contains("Celu") && text.contains("celu_1") && text.contains("ai.onnx") && text.contains("opset 17")
        }
    }

    @Test func readsTheSchemaFromTheGraph() throws {
        let session = try InferenceSession(contentsOf: fixtures.appendingPathComponent("scaler_logreg_multi_zipmap.onnx"))
        #expect(session.schema.inputs == [TensorSpec(name: "X", datatype: .fp32, shape: [-1, 4])])
        #expect(session.schema.outputs.map(\.name) == ["output_label", "output_probability"])
        #expect(session.schema.outputs.map(\.datatype) == [.int64, .bytes])
    }

    @Test func badInputsNameTheInputAndWhatWasExpected() throws {
        let session = try InferenceSession(contentsOf: fixtures.appendingPathComponent("logreg_multi_tensor.onnx"))
        let good = Tensor(shape: [1, 4], data: .float([5.1, 3.5, 1.4, 0.2]))
        #expect(throws: NightjarError.invalidArgument("unknown input 'x': this model takes 'X'")) {
            _ = try session.run(["x": good])
        }
        #expect(throws: NightjarError.invalidArgument("input 'X': shape [1, 3] given, [N, 4] expected")) {
            _ = try session.run(["X": Tensor(shape: [1, 3], data: .float([1, 2, 3]))])
        }
        #expect(throws: NightjarError.invalidArgument("input 'X': datatype FP64 given, FP32 expected")) {
            _ = try session.run(["X": Tensor(shape: [1, 4], data: .double([1, 2, 3, 4]))])
        }
        #expect(throws: NightjarError.invalidArgument("missing input 'X' (FP32 [N, 4])")) {
            _ = try session.run([:])
        }
    }

    @Test func zipMapRowsAreServedAsJSONObjects() throws {
        let session = try InferenceSession(contentsOf: fixtures.appendingPathComponent("logreg_string_labels_zipmap.onnx"))
        let out = try session.run(["X": Tensor(shape: [1, 4], data: .float([5.1, 3.5, 1.4, 0.2]))])
        let served = try #require(out["output_probability"]).servedTensor()
        guard case .string(let rows) = served.data, let first = rows.first else {
            Issue.record("expected a BYTES tensor, got \(served)")
            return
        }
        let decoded = try JSONDecoder().decode([String: Double].self, from: Data(first.utf8))
        #expect(Set(decoded.keys) == ["setosa", "versicolor", "virginica"])
        #expect(abs(decoded.values.reduce(0, +) - 1) < 1e-5)
        #expect(try #require(out["output_label"]) == .tensor(Tensor(shape: [1], data: .string(["setosa"]))))
    }

    /// Broken graphs are refused at load time, each with a message that says what is wrong where.
    @Test(arguments: [
        ("invalid_cycle", ["cycle", "'first'", "'second'"]),
        ("invalid_dangling_input", ["'add_offset'", "'offset'", "neither a graph input"]),
        ("invalid_initializer_shape", ["'dense_1'", "MatMul", "'weights' [5, 3]"]),
        ("invalid_initializer_bytes", ["'scale'", "20 bytes", "[2, 3]"]),
        ("invalid_tree_child", ["'trees'", "node 7"]),
        ("invalid_tree_cycle", ["'looping_trees'", "root"]),
        ("unsupported_tree_mode", ["TreeEnsembleRegressor", "'odd_trees'", "BRANCH_SOMETIMES", "ai.onnx.ml", "opset 3"]),
        ("unsupported_opset_tree", ["TreeEnsembleClassifier", "'old_trees'", "ai.onnx.ml", "opset 5", "1–4"]),
        ("unsupported_conv_auto_pad", ["Conv", "'conv_odd_pad'", "auto_pad", "SAME_SOMETIMES", "ai.onnx", "opset 17"]),
        ("unsupported_batchnorm_training", ["BatchNormalization", "'bn_train'", "training_mode", "ai.onnx", "opset 17"]),
        ("invalid_conv_group", ["'conv_groups'", "Conv", "'kernel' [4, 1, 3, 3]", "group 3", "2 channels"]),
    ])
    func brokenGraphsAreRefusedClearly(_ name: String, _ phrases: [String]) {
        #expect {
            _ = try InferenceSession(contentsOf: fixtures.appendingPathComponent(name + ".onnx"))
        } throws: { error in
            let text = String(describing: error)
            let missing = phrases.filter { !text.contains($0) }
            if !missing.isEmpty { Issue.record("\(name): message lacks \(missing): \(text)") }
            return missing.isEmpty
        }
    }

    @Test func everyFixtureOperatorIsReported() {
        let ops = InferenceSession.supportedOperators
        #expect(ops.contains { $0.domain == "ai.onnx.ml" && $0.opType == "TreeEnsembleClassifier" && $0.opsets == 1...4 })
        #expect(ops.contains { $0.domain == "ai.onnx.ml" && $0.opType == "TreeEnsemble" && $0.opsets == 5...5 })
        #expect(ops.contains { $0.domain == "ai.onnx" && $0.opType == "Softmax" && $0.opsets == 1...23 })
        #expect(ops.contains { $0.domain == "ai.onnx" && $0.opType == "Conv" && $0.opsets == 1...23 })
        #expect(ops.contains { $0.domain == "ai.onnx" && $0.opType == "Gelu" && $0.opsets == 20...23 })
    }
}
