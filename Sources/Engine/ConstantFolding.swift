import NightjarCore

/// Runs, once at load, every node whose inputs are all known before any request: initializers,
/// `Constant` nodes and what those feed. PyTorch exports write a graph's fixed numbers as dozens of
/// `Constant` nodes and small integer arithmetic on them; evaluated per request, each would build
/// its tensor again. Their outputs become initializers instead, which also lets `GraphFusion` see
/// a bias written as a `Constant` node.
///
/// Every operator the engine runs is deterministic, so a folded value is exactly what each run
/// would have computed. A node that fails on its constant inputs is left in the graph: its error
/// then reaches the request with the node's name, as it would have without folding.
enum ConstantFolding {
    /// The steps still to run per request, and the initializers with the folded values the graph
    /// still reads (as a step's input or as a graph output) added. An initializer that is also a
    /// graph input is only a default (ONNX lets a caller override it), so nothing folds through it.
    static func fold(_ steps: [GraphPlan.Step], initializers: [String: Value], graphInputs: Set<String>,
                     graphOutputs: Set<String>) -> (steps: [GraphPlan.Step], initializers: [String: Value]) {
        var known = initializers.filter { !graphInputs.contains($0.key) }
        var kept: [GraphPlan.Step] = []
        for step in steps {
            let args = step.inputs.map { $0.isEmpty ? nil : known[$0] }
            let foldable = zip(step.inputs, args).allSatisfy { name, value in name.isEmpty || value != nil }
            guard foldable, let results = try? step.kernel.run(args) else {
                kept.append(step)
                continue
            }
            for (name, value) in zip(step.outputs, results) where !name.isEmpty { known[name] = value }
        }
        // Values only folded steps read are not kept: a chain of folded arithmetic leaves its end.
        let read = Set(kept.flatMap(\.inputs)).union(graphOutputs)
        let folded = known.filter { name, _ in initializers[name] != nil || read.contains(name) }
        return (kept, folded)
    }
}
