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

    @Test(
        "a warm batch-1 run allocates only the outputs it returns",
        arguments: [
            "mlp_regressor", "bench_logreg_20", "bench_rf_100x10", "bench_hgb_100",
            // The label through ArgMax, ArrayFeatureExtractor and Cast: int64 and int32 steps.
            "mlp_classifier",
            // skl2onnx's one-vs-rest graph after the SVM: comparisons, casts, Sum, Concat, Neg, Div.
            "svm_svc_rbf", "svm_svc_rbf_proba", "svm_svc_proba_string_labels", "svm_svr_rbf",
            // PyTorch's shape arithmetic, Slice, Transpose, batched MatMul and LayerNormalization.
            "torch_transformer_gelu", "torch_transformer_erf",
            // Other classifiers: trees, string labels, ZipMap's maps.
            "tree_rf_classifier", "tree_dt_classifier", "tree_gb_classifier", "tree_rf_classifier_string_labels",
            "tree_rf_classifier_binary_zipmap", "logreg_binary_zipmap", "mlp_classifier_binary_zipmap",
            // A multiclass logistic regression's softmax, then Normalizer and ZipMap.
            "logreg_multi_tensor", "logreg_multi_zipmap", "scaler_logreg_multi_zipmap", "logreg_string_labels_zipmap",
            // PyTorch's Gemm layers (their constant weights transposed at load), Conv, pooling and Flatten.
            "torch_mlp", "torch_cnn2d", "torch_cnn1d",
            // Tree regressors of every converter, the ai.onnx.ml opset-5 TreeEnsemble among them.
            "tree_dt_regressor", "tree_dt_regressor_as_tensor", "tree_rf_regressor", "tree_gb_regressor", "tree_hgb_regressor_nan",
            "tree_ensemble_v5_regressor_nan", "xgb_regressor_nan", "lgbm_regressor_nan",
            // Mixed columns: string categories through OneHotEncoder, numbers through Imputer and Scaler.
            "pipeline_column_transformer", "pipeline_imputer_minmax_logreg",
        ]
    )
    func warmRunAllocatesOnlyItsOutputs(name: String) throws {
        let (count, returned) = try Self.warmRun(name)
        #expect(count <= returned, "\(name): a warm run made \(count) allocations, more than the \(returned) of what it returns")
    }
}
