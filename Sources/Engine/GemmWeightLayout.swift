import NightjarCore

/// Lays out a `Gemm`'s constant B at load the way its product reads it. `torch.onnx.export` writes
/// every linear layer as `Gemm` with `transB = 1` over the weight initializer, and the kernel would
/// transpose that weight on every run (a copy and an allocation per layer per call). Transposed
/// once here and handed to a `transB = 0` kernel, the product reads the same numbers in the same
/// order, so the outputs keep their bits.
enum GemmWeightLayout {
    /// The steps with each such Gemm reading a transposed copy of its weight, and the initializers
    /// with those copies added; an original weight nothing else reads is dropped.
    static func pretranspose(_ steps: [GraphPlan.Step], initializers: [String: Value], graphInputs: Set<String>,
                             graphOutputs: Set<String>) -> (steps: [GraphPlan.Step], initializers: [String: Value]) {
        var steps = steps, initializers = initializers
        var replaced: Set<String> = []
        for index in steps.indices {
            let step = steps[index]
            // An initializer that is also a graph input is a default the caller may replace.
            guard let gemm = step.kernel as? GemmKernel, gemm.transB, step.inputs.count >= 2,
                  !graphInputs.contains(step.inputs[1]),
                  case .tensor(let weight)? = initializers[step.inputs[1]], weight.shape.count == 2,
                  case .float(let values) = weight.data, values.count == weight.shape[0] * weight.shape[1]
            else { continue }
            let (rows, columns) = (weight.shape[0], weight.shape[1])
            let name = "\(step.inputs[1]) transposed for \(step.name)"
            initializers[name] = .tensor(Tensor(shape: [columns, rows],
                                                data: .float(BlockedGemm.transposed(values[...], rows: rows, columns: columns))))
            replaced.insert(step.inputs[1])
            var inputs = step.inputs
            inputs[1] = name
            steps[index] = GraphPlan.Step(name: step.name, opType: step.opType, inputs: inputs, outputs: step.outputs,
                                          kernel: gemm.readingBAsIs())
        }
        let stillRead = Set(steps.flatMap(\.inputs)).union(graphOutputs)
        for original in replaced where !stillRead.contains(original) {
            initializers[original] = nil
        }
        return (steps, initializers)
    }
}
