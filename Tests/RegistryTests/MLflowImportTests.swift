import Foundation
import NightjarCore
import Registry
import Testing

/// Reading a directory written by the real `mlflow` package (scripts/make-mlflow-fixture.py).
@Suite struct MLflowImportTests {
    static var fixture: URL {
        Bundle.module.url(forResource: "Fixtures/mlflow-fraud", withExtension: nil) ?? URL(fileURLWithPath: "/nonexistent")
    }

    @Test func readsTheOnnxFlavorAndWhatMLflowRecorded() throws {
        let model = try MLflowModelDirectory(path: Self.fixture)
        #expect(model.modelData == (try Data(contentsOf: Self.fixture.appendingPathComponent("model.onnx"))))
        #expect(model.metadata.description == "fraud scorer exported through MLflow")
        #expect(model.metadata.metrics == ["auc": 0.91])
        #expect(model.metadata.framework?.hasPrefix("mlflow 3.") == true)
        #expect(model.metadata.tags["mlflow.model_uuid"]?.count == 32)
        #expect(model.signature["inputs"]?.contains(#""shape": [-1, 6]"#) == true)
    }

    @Test func refusesWhatIsNotAnOnnxMLflowModel() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlflow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: NightjarError.self) { try MLflowModelDirectory(path: dir) }
        try "flavors:\n  sklearn:\n    pickled_model: model.pkl\n".write(to: dir.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        do {
            _ = try MLflowModelDirectory(path: dir)
            Issue.record("a model without an onnx flavor was accepted")
        } catch {
            #expect("\(error)".contains("no onnx flavor (flavors: sklearn)"))
        }
        try "flavors:\n  onnx:\n    data: ../../etc/passwd\n".write(to: dir.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        #expect(throws: NightjarError.self) { try MLflowModelDirectory(path: dir) }
    }
}
