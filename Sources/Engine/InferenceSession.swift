import CEngineKernels
import Foundation
import NightjarCore
import ONNXProto
import SwiftProtobuf
import Synchronization

/// A loaded ONNX model, ready to run. Loading does all checking — format, opsets, operators,
/// attributes — so a model that loads does not fail later for reasons of its own.
/// Immutable after load apart from its arenas, which each run checks out alone, so one session
/// serves concurrent requests.
public final class InferenceSession: Sendable {
    public let schema: FeatureSchema
    public let producer: String
    let plan: GraphPlan
    let outputNames: [String]
    /// What one run works in, kept between runs so that a small model's call does not allocate it:
    /// its arena, its value table by slot, and the argument and result arrays its steps share.
    struct RunScratch: Sendable {
        var arena = TensorArena()
        var values: [Value?]
        var args: [Value?] = []
        var results: [Value] = []
        var memo: ShapeMemo
    }
    /// Scratch not in use by a run, and how many buffers all arenas have created so far.
    private let arenas = Mutex<(idle: [RunScratch], created: Int)>(([], 0))

    /// Activation buffers the session's runs have had to allocate rather than reuse. A warm run
    /// of a steady workload adds none; tests read it to prove that.
    var activationBuffersCreated: Int { arenas.withLock { $0.created } }

    public convenience init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw NightjarError.invalidArgument("cannot read model file \(url.path): \(error.localizedDescription)")
        }
        try self.init(modelData: data)
    }

    /// Runs reuse the memory the previous run freed instead of faulting in fresh pages; once per process.
    private static let allocatorKeepsFreedMemory: Void = nj_keep_freed_memory()

    public init(modelData: Data) throws(NightjarError) {
        _ = Self.allocatorKeepsFreedMemory
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: modelData)
        } catch {
            throw .invalidArgument("not an ONNX model: the bytes do not decode as an ONNX ModelProto (\(error))")
        }
        // Protobuf decodes many byte strings into an empty message, so check for the fields every model has.
        guard model.irVersion > 0, model.hasGraph, !model.graph.node.isEmpty, !model.opsetImport.isEmpty else {
            throw .invalidArgument("not an ONNX model: no IR version, graph or opset imports found in \(modelData.count) bytes")
        }
        var opsets: [String: Int] = [:]
        for o in model.opsetImport {
            opsets[OperatorTable.canonical(domain: o.domain)] = Int(o.version)
        }
        let graph = model.graph
        plan = try GraphPlan(graph: graph, opsets: opsets)
        let initializerNames = Set(graph.initializer.map(\.name))
        schema = FeatureSchema(
            inputs: try graph.input.filter { !initializerNames.contains($0.name) }.map { info throws(NightjarError) in try Self.spec(info) },
            outputs: try graph.output.map { info throws(NightjarError) in try Self.spec(info) })
        outputNames = graph.output.map(\.name)
        producer = model.producerName.isEmpty ? "unknown" : "\(model.producerName) \(model.producerVersion)"
        try Self.rehearse(plan, schema)
    }

    /// Runs the graph once at load time on ones shaped as the graph declares its inputs (dynamic
    /// dimensions as 1), so an initializer whose shape does not fit its node — weights for 5
    /// features behind an input of 4 — is refused now with the node's name, not on the first
    /// request. Failures that depend on values rather than on initializers are left to requests.
    static func rehearse(_ plan: GraphPlan, _ schema: FeatureSchema) throws(NightjarError) {
        var values = plan.initializers
        // A window wider than a guessed spatial size of 1 fails without the model being wrong.
        let guessedSpatial = schema.inputs.contains { $0.shape.dropFirst().contains { $0 < 0 } }
        for spec in schema.inputs {
            guard spec.shape != [-1] else { return }  // rank unknown: nothing sensible to try
            let shape = spec.shape.map { $0 < 0 ? 1 : $0 }
            let n = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
            guard n >= 0, n <= 1 << 20 else { return }
            let data: TensorData
            switch spec.datatype {
            case .fp32: data = .float(Array(repeating: 1, count: n))
            case .fp64: data = .double(Array(repeating: 1, count: n))
            case .int64: data = .int64(Array(repeating: 1, count: n))
            case .int32: data = .int32(Array(repeating: 1, count: n))
            default: return
            }
            values[spec.name] = .tensor(Tensor(shape: shape, data: data))
        }
        for step in plan.steps {
            let args = step.inputs.map { $0.isEmpty ? nil : values[$0] }
            let results: [Value]
            do {
                results = try step.kernel.run(args)
            } catch {
                let fixed = step.inputs.filter { plan.initializers[$0] != nil }
                // A reshape to a fixed batch size fails on a batch of one without being wrong.
                guard !fixed.isEmpty, step.opType != "Reshape",
                      !(guessedSpatial && ["Conv", "MaxPool", "AveragePool"].contains(step.opType)) else { return }
                let shapes = fixed.map { name -> String in
                    if case .tensor(let t)? = plan.initializers[name] { return "'\(name)' \(t.shape)" }
                    return "'\(name)'"
                }
                throw .invalidArgument("node '\(step.name)' (\(step.opType)) cannot run with initializer \(shapes.joined(separator: ", ")) on inputs shaped as the graph declares them: \(error)")
            }
            for (name, value) in zip(step.outputs, results) where !name.isEmpty { values[name] = value }
        }
    }

    /// The schema entry for a graph input or output. Non-tensor outputs (ZipMap's maps) are served as BYTES.
    static func spec(_ info: Onnx_ValueInfoProto) throws(NightjarError) -> TensorSpec {
        switch info.type.value {
        case .tensorType(let t):
            guard let type = ElementType.dataType(onnx: t.elemType) else {
                throw .unsupported("graph value '\(info.name)' has element type \(ElementType.name(onnx: t.elemType)), which the engine does not support")
            }
            let dims = t.hasShape ? t.shape.dim.map { d -> Int in
                if case .dimValue(let v) = d.value, v > 0 { return Int(v) }
                return -1
            } : [-1]
            return TensorSpec(name: info.name, datatype: type, shape: dims)
        case .sequenceType, .mapType:
            return TensorSpec(name: info.name, datatype: .bytes, shape: [-1])
        default:
            throw .unsupported("graph value '\(info.name)' has a type the engine does not support")
        }
    }

    /// Runs the graph. Inputs are checked against the schema first; the error names the input.
    public func run(_ inputs: [String: Tensor]) throws(NightjarError) -> [String: Value] {
        try schema.validate(inputs)
        // Kernels index by shape, so a tensor whose values do not fill its shape stops here.
        for (name, tensor) in inputs {
            let expected = try Shapes.count(tensor.shape, op: "input '\(name)'")
            guard expected == tensor.data.count else {
                throw .invalidArgument("input '\(name)': shape \(tensor.shape) needs \(expected) values, \(tensor.data.count) given")
            }
        }
        // Used in place (scratch.arena, not a copy of it), so the arena's storage stays uniquely held.
        var scratch = arenas.withLock { $0.idle.popLast() }
            ?? RunScratch(values: [Value?](repeating: nil, count: plan.constants.count), memo: ShapeMemo(stepCount: plan.slotSteps.count))
        let createdBefore = scratch.arena.created
        scratch.arena.startRun()
        // Handed back on every path, errors included: a failed run's buffers are as good as any.
        // The table is emptied first, so no value outlives its run or is seen by the next one.
        defer {
            for slot in scratch.values.indices { scratch.values[slot] = nil }
            scratch.args.removeAll(keepingCapacity: true)
            scratch.results.removeAll(keepingCapacity: true)
            let created = scratch.arena.created - createdBefore
            arenas.withLock { state in
                state.idle.append(scratch)
                state.created += created
            }
        }
        // Values by slot (GraphPlan.slots); initializers are read from the plan, never copied.
        for (name, tensor) in inputs {
            if let slot = plan.slots[name] { scratch.values[slot] = .tensor(tensor) }
        }
        for (index, step) in plan.slotSteps.enumerated() {
            // The arguments and results go out of scope before recycling, so a recycled buffer has no other holder.
            do {
                // Kernels do not keep their argument array, so one is refilled in place for every step.
                for slot in step.inputs { scratch.args.append(slot < 0 ? nil : scratch.values[slot] ?? plan.constants[slot]) }
                if let role = step.memo {
                    // Outside the arena: these outputs are kept after the run, not recycled within it.
                    if let kept = scratch.memo.reusable(step: index, role: role, args: scratch.args) {
                        scratch.results.append(contentsOf: kept)
                    } else {
                        let results = try step.kernel.run(scratch.args)
                        scratch.memo.store(results, step: index, role: role, args: scratch.args)
                        scratch.results.append(contentsOf: results)
                    }
                } else {
                    try step.kernel.run(scratch.args, arena: &scratch.arena, appendingTo: &scratch.results)
                }
                scratch.args.removeAll(keepingCapacity: true)
                for i in 0..<min(step.outputs.count, scratch.results.count) where step.outputs[i] >= 0 {
                    scratch.values[step.outputs[i]] = scratch.results[i]
                }
                scratch.results.removeAll(keepingCapacity: true)
            } catch {
                throw Self.located(error, plan.steps[index])
            }
            for slot in step.dropped { scratch.values[slot] = nil }
            for slot in step.recycled { scratch.arena.recycle(scratch.values[slot].take()) }
        }
        var out = [String: Value](minimumCapacity: plan.outputSlots.count)
        for (name, slot) in zip(outputNames, plan.outputSlots) {
            guard let v = scratch.values[slot] ?? plan.constants[slot] else { throw .corrupt("the graph did not produce its output '\(name)'") }
            out[name] = v
        }
        return out
    }

    /// Adds the node to a kernel's message, so a failure points at the place in the graph.
    static func located(_ error: NightjarError, _ step: GraphPlan.Step) -> NightjarError {
        switch error {
        case .invalidArgument(let m): .invalidArgument("\(m) (node '\(step.name)')")
        case .unsupported(let m): .unsupported("\(m) (node '\(step.name)')")
        default: error
        }
    }
}
