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

    let steps: [Step]
    let initializers: [String: Value]
    let lifetimes: ValueLifetimes

    /// Orders the nodes (Kahn's algorithm) and builds every kernel, refusing what the engine cannot run.
    init(graph: Onnx_GraphProto, opsets: [String: Int]) throws(NightjarError) {
        var initializers: [String: Value] = [:]
        for proto in graph.initializer {
            initializers[proto.name] = .tensor(try Tensor(proto: proto))
        }
        guard graph.sparseInitializer.isEmpty else {
            throw .unsupported("the graph has sparse initializers, which the engine does not support")
        }
        self.initializers = initializers

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
        steps = GraphFusion.fuse(ordered, initializers: initializers, graphOutputs: graphOutputs)
        lifetimes = ValueLifetimes(steps: steps, graphOutputs: graphOutputs)
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
