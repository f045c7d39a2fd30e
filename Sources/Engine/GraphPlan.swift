import NightjarCore
import ONNXProto

/// A graph ready to run: nodes in dependency order, each with its kernel built and checked.
struct GraphPlan: Sendable {
    struct Step: Sendable {
        let name: String
        let opType: String
        let inputs: [String]
        let outputs: [String]
        let kernel: any Kernel
    }

    /// A step as a run sees it: value names replaced by slots in the run's value array (-1 for an
    /// omitted optional input or an unused output), with the slots to forget and to recycle after it.
    /// A class so that a run takes each step with one retain, not one per array in it.
    final class SlotStep: Sendable {
        let inputs: [Int]
        let outputs: [Int]
        let dropped: [Int]
        let recycled: [Int]
        let kernel: any Kernel
        /// Set when the step's outputs depend on shapes alone and are kept between runs (`ShapeMemo`).
        let memo: ShapeMemo.Role?

        init(inputs: [Int], outputs: [Int], dropped: [Int], recycled: [Int], kernel: any Kernel, memo: ShapeMemo.Role?) {
            self.inputs = inputs
            self.outputs = outputs
            self.dropped = dropped
            self.recycled = recycled
            self.kernel = kernel
            self.memo = memo
        }
    }

    let steps: [Step]
    let initializers: [String: Value]
    let lifetimes: ValueLifetimes
    /// Every value name's index in a run's value array, given at load so that a run indexes an array
    /// instead of hashing names for every input and output of every step.
    let slots: [String: Int]
    /// The initializers by slot, nil elsewhere: runs read them here rather than each copying them.
    let constants: [Value?]
    /// `steps` by slot, in the same order.
    let slotSteps: [SlotStep]
    /// The graph's outputs as slots, in the graph's order.
    let outputSlots: [Int]
    /// For each step, whether and how its outputs are kept between runs.
    let memo: [ShapeMemo.Role?]

    /// Orders the nodes (Kahn's algorithm) and builds every kernel, refusing what the engine cannot run.
    init(graph: Onnx_GraphProto, opsets: [String: Int]) throws(NightjarError) {
        var initializers: [String: Value] = [:]
        for proto in graph.initializer {
            initializers[proto.name] = .tensor(try Tensor(proto: proto))
        }
        guard graph.sparseInitializer.isEmpty else {
            throw .unsupported("the graph has sparse initializers, which the engine does not support")
        }

        var available = Set(graph.input.map(\.name)).union(initializers.keys)
        available.insert("")  // an empty name marks an omitted optional input
        var pending = Array(graph.node.enumerated())
        var ordered: [Step] = []
        while !pending.isEmpty {
            guard let index = pending.firstIndex(where: { $0.element.input.allSatisfy(available.contains) }) else {
                // Nothing can run: either some input is produced nowhere, or the rest wait on each other.
                let produced = Set(pending.flatMap(\.element.output))
                for (_, node) in pending {
                    let dangling = node.input.filter { !available.contains($0) && !produced.contains($0) }
                    if !dangling.isEmpty {
                        throw .invalidArgument("node '\(node.name)' (\(node.opType)) needs \(dangling.map { "'\($0)'" }.joined(separator: ", ")), which is neither a graph input, an initializer nor any node's output")
                    }
                }
                let cycle = pending.map { "'\($0.element.name)' (\($0.element.opType))" }.prefix(8).joined(separator: ", ")
                throw .invalidArgument("the graph has a cycle: nodes \(cycle) each wait, directly or not, on another's output")
            }
            let node = pending.remove(at: index).element
            ordered.append(try Self.step(for: node, opsets: opsets))
            available.formUnion(node.output)
        }
        for output in graph.output where !available.contains(output.name) {
            throw .invalidArgument("graph output '\(output.name)' is produced by no node, input or initializer")
        }
        let graphOutputs = Set(graph.output.map(\.name))
        let graphInputs = Set(graph.input.map(\.name))
        let folded = ConstantFolding.fold(ordered, initializers: initializers, graphInputs: graphInputs, graphOutputs: graphOutputs)
        let laidOut = GemmWeightLayout.pretranspose(folded.steps, initializers: folded.initializers, graphInputs: graphInputs,
                                                    graphOutputs: graphOutputs)
        initializers = laidOut.initializers
        // Runs refuse inputs of another element type than the graph declares (`FeatureSchema`).
        var inputTypes: [String: DataType] = [:]
        for info in graph.input {
            if case .tensorType(let t)? = info.type.value, let type = ElementType.dataType(onnx: t.elemType) { inputTypes[info.name] = type }
        }
        let steps = GraphFusion.fuse(laidOut.steps, initializers: initializers, graphOutputs: graphOutputs).map { step in
            // skl2onnx's `Cast` of a float input to float, and a classifier's of its int64 label
            // into an int64 output: see `CastKernel.passesSameType`.
            guard let cast = step.kernel as? CastKernel,
                  step.outputs.contains(where: graphOutputs.contains) || step.inputs.first.flatMap({ inputTypes[$0] }) == cast.target
            else { return step }
            return Step(name: step.name, opType: step.opType, inputs: step.inputs, outputs: step.outputs, kernel: cast.passingSameType())
        }
        let memo = ShapeMemo.Role.plan(steps, constants: Set(initializers.keys).subtracting(graphInputs))
        // A memoized step's outputs outlive the run in its memo, so no arena may take their buffers back.
        let lifetimes = ValueLifetimes(steps: steps, graphOutputs: graphOutputs,
                                       keptBetweenRuns: Set(memo.indices.filter { memo[$0] != nil }))
        self.steps = steps
        self.initializers = initializers
        self.lifetimes = lifetimes
        self.memo = memo

        var slots: [String: Int] = [:]
        func slot(_ name: String) -> Int {
            guard !name.isEmpty else { return -1 }
            if let s = slots[name] { return s }
            slots[name] = slots.count
            return slots.count - 1
        }
        for name in graph.input.map(\.name) + initializers.keys.sorted() + graph.output.map(\.name) { _ = slot(name) }
        slotSteps = steps.indices.map { index in
            SlotStep(inputs: steps[index].inputs.map(slot), outputs: steps[index].outputs.map(slot),
                     dropped: lifetimes.dropped[index].map(slot), recycled: lifetimes.recycled[index].map(slot),
                     kernel: steps[index].kernel, memo: memo[index])
        }
        outputSlots = graph.output.map { slot($0.name) }
        var constants = [Value?](repeating: nil, count: slots.count)
        for (name, value) in initializers { constants[slot(name)] = value }
        self.constants = constants
        self.slots = slots
    }

    static func step(for node: Onnx_NodeProto, opsets: [String: Int]) throws(NightjarError) -> Step {
        let domain = OperatorTable.canonical(domain: node.domain)
        guard let opset = opsets[domain] else {
            throw .invalidArgument("node '\(node.name)' (\(node.opType)) is in domain \(domain), which the model does not import")
        }
        guard let entry = OperatorTable.lookup(domain: domain, opType: node.opType, opset: opset) else {
            let known = OperatorTable.supports(domain: domain, opType: node.opType)
            let hint = known.isEmpty
                ? "the engine does not implement this operator"
                : "the engine supports it for opsets \(known.map { "\($0.lowerBound)–\($0.upperBound)" }.joined(separator: ", "))"
            throw .unsupported("unsupported operator \(node.opType) (node '\(node.name)', domain \(domain), opset \(opset)): \(hint)")
        }
        let kernel: any Kernel
        do {
            kernel = try entry.make(NodeAttributes(node))
        } catch {
            // Attribute checks know the node; the operator's domain and opset complete the picture.
            let place = "(domain \(domain), opset \(opset))"
            switch error {
            case .unsupported(let m): throw .unsupported("\(m) \(place)")
            case .invalidArgument(let m): throw .invalidArgument("\(m) \(place)")
            default: throw error
            }
        }
        return Step(name: node.name, opType: node.opType, inputs: node.input, outputs: node.output, kernel: kernel)
    }
}
