@testable import Engine
import Foundation
import NightjarCore
import ONNXProto
import SwiftProtobuf
import Testing

/// Constants folded at load (`ConstantFolding`) and shape arithmetic kept between runs (`ShapeMemo`):
/// answers must be exactly those of a session that computes everything afresh, whatever the
/// sequence of batch sizes and failures before.
struct ShapeMemoTests {
    static func tokens(batch: Int, seed: Float) -> [String: Tensor] {
        let count = batch * 8 * 16
        let values = (0..<count).map { Float(sin(Double($0) * 0.37 + Double(seed))) }
        return ["x": Tensor(shape: [batch, 8, 16], data: .float(values))]
    }

    @Test("a PyTorch export's Constant nodes are folded and its shape arithmetic is memoized")
    func transformerPlan() throws {
        let session = try InferenceSession(contentsOf: Fixture.directory.appendingPathComponent("torch_transformer_gelu.onnx"))
        let ops = session.plan.steps.map(\.opType)
        #expect(!ops.contains("Constant"), "\(ops)")
        let memoized = session.plan.memo.indices.filter { session.plan.memo[$0] != nil }.map { ops[$0] }
        #expect(memoized.contains("Shape") && memoized.contains("Concat"), "memoized: \(memoized)")
        #expect(!memoized.contains("MatMul") && !memoized.contains("Softmax"), "memoized: \(memoized)")
    }

    @Test("changing batch sizes get the answers of a fresh session, bit for bit")
    func batchSizesChangeRunToRun() throws {
        let url = Fixture.directory.appendingPathComponent("torch_transformer_gelu.onnx")
        let session = try InferenceSession(contentsOf: url)
        for (round, batch) in [1, 64, 3, 3, 64, 1, 5].enumerated() {
            let inputs = Self.tokens(batch: batch, seed: Float(round))
            let fresh = try InferenceSession(contentsOf: url).run(inputs)
            #expect(try session.run(inputs) == fresh, "batch \(batch) in round \(round)")
        }
    }

    /// X [N, 4] and S int64 [2]: `y = Reshape(X, S)`, `rows = Gather(Shape(X), 0)`, in that order,
    /// so a bad S fails the run after Shape has seen a new N but before Gather reads it.
    static func reshapeThenRowsModel() throws -> InferenceSession {
        func info(_ name: String, _ type: Onnx_TensorProto.DataType, _ dims: [Int64?]) -> Onnx_ValueInfoProto {
            var tensor = Onnx_TypeProto.Tensor()
            tensor.elemType = Int32(type.rawValue)
            tensor.shape.dim = dims.map { d in
                var dim = Onnx_TensorShapeProto.Dimension()
                if let d { dim.dimValue = d } else { dim.dimParam = "N" }
                return dim
            }
            var value = Onnx_ValueInfoProto()
            value.name = name
            value.type.tensorType = tensor
            return value
        }
        func node(_ op: String, _ inputs: [String], _ outputs: [String]) -> Onnx_NodeProto {
            var n = Onnx_NodeProto()
            n.opType = op
            n.name = outputs[0]
            n.input = inputs
            n.output = outputs
            return n
        }
        var zero = Onnx_TensorProto()
        zero.name = "zero"
        zero.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        zero.int64Data = [0]
        var graph = Onnx_GraphProto()
        graph.name = "reshape_then_rows"
        graph.input = [info("X", .float, [nil, 4]), info("S", .int64, [2])]
        graph.initializer = [zero]
        graph.node = [node("Shape", ["X"], ["shape"]), node("Reshape", ["X", "S"], ["y"]), node("Gather", ["shape", "zero"], ["rows"])]
        graph.output = [info("y", .float, [nil, nil]), info("rows", .int64, [])]
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.opsetImport = [opset]
        model.graph = graph
        return try InferenceSession(modelData: try model.serializedData())
    }

    @Test("a run that fails between Shape and its readers leaves no stale answer for the next")
    func failedRunDoesNotLeaveStaleShapes() throws {
        let session = try Self.reshapeThenRowsModel()
        func inputs(rows: Int, target: [Int64]) -> [String: Tensor] {
            ["X": Tensor(shape: [rows, 4], data: .float((0..<rows * 4).map(Float.init))),
             "S": Tensor(shape: [2], data: .int64(target))]
        }
        let two = try session.run(inputs(rows: 2, target: [4, 2]))
        #expect(two["rows"] == .tensor(Tensor(shape: [], data: .int64([2]))))
        #expect(throws: NightjarError.self) { try session.run(inputs(rows: 3, target: [5, 5])) }
        let three = try session.run(inputs(rows: 3, target: [2, 6]))
        #expect(three["rows"] == .tensor(Tensor(shape: [], data: .int64([3]))))
        #expect(three["y"] == .tensor(Tensor(shape: [2, 6], data: .float((0..<12).map(Float.init)))))
    }
}
