import Foundation
import Engine
import NightjarCore
import Testing

/// A row's answer must not depend on the rows batched with it: the worker merges concurrent
/// requests into one engine call, and the console's spot check compares the served answer with its
/// own batch-1 run. Checked bit for bit on models whose kernels have batch paths.
@Suite struct BatchIndependenceTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test(arguments: [("bench_logreg_20", "X", [20]), ("bench_rf_100x10", "X", [20]), ("bench_hgb_100", "X", [20]),
                      ("mlp_classifier", "X", [10]), ("svm_svc_rbf", "X", [6]),
                      ("torch_cnn2d", "x", [1, 16, 16]), ("torch_cnn1d", "x", [4, 32])])
    func aRowGetsTheSameBitsAloneAndInABatch(_ fixture: (name: String, input: String, row: [Int])) throws {
        let session = try InferenceSession(contentsOf: Self.fixtures.appendingPathComponent("\(fixture.name).onnx"))
        var rng = SystemRandomNumberGenerator()
        let rows = 37
        let size = fixture.row.reduce(1, *)
        let x = (0..<(rows * size)).map { _ in Float.random(in: -3...3, using: &rng) }
        let batch = try session.run([fixture.input: Tensor(shape: [rows] + fixture.row, data: .float(x))])
        var alone: [String: [Tensor]] = [:]
        for r in 0..<rows {
            let row = Array(x[(r * size)..<((r + 1) * size)])
            for (name, value) in try session.run([fixture.input: Tensor(shape: [1] + fixture.row, data: .float(row))]) {
                alone[name, default: []].append(value.servedTensor())
            }
        }
        for (name, value) in batch {
            let whole = value.servedTensor()
            let pieces = try #require(alone[name])
            let joined = Self.concatenate(pieces.map(\.data)) ?? whole.data
            #expect(joined == whole.data, "\(fixture.name) output \(name): rows alone differ from the batch of \(rows)")
        }
    }

    /// The rows' outputs end to end, as the batch lays them out; nil for a type not handled here.
    static func concatenate(_ parts: [TensorData]) -> TensorData? {
        var floats: [Float] = [], ints: [Int64] = [], strings: [String] = []
        for part in parts {
            switch part {
            case .float(let v): floats += v
            case .int64(let v): ints += v
            case .string(let v): strings += v
            default: return nil
            }
        }
        switch parts.first {
        case .float?: return .float(floats)
        case .int64?: return .int64(ints)
        case .string?: return .string(strings)
        default: return nil
        }
    }
}
