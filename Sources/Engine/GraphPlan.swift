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
                let node = pending[0].element
                let missing = node.input.filter { !available.contains($0) }
                throw .invalidArgument("node '\(node.name)' (\(node.opType)) needs \(missing.joined(separator: ", ")), which no node produces, or the graph has a cycle")
            }
            let node = pending.remove(at: index).element
            ordered.append(try Self.step(for: node, opsets: opsets))
            available.formUnion(node.output)
        }
        steps = ordered
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
        let kernel = try entry.make(NodeAttributes(node))
        return Step(name: node.name, opType: node.opType, inputs: node.input, outputs: node.output, kernel: kernel)
    }
}
