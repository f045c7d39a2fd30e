import NightjarCore

/// Merges the node chains dense networks are made of into one step each, at load time:
///
/// - `MatMul` → `Add` of a bias initializer (`[n]` or `[1, n]`) → optional `Relu`, as skl2onnx and
///   PyTorch write a linear layer, becomes one `DenseLayerKernel`;
/// - `Gemm` → `Relu` and `Conv` → `Relu` apply the Relu in their own last pass;
/// - `Conv` (→ `Relu`) → `MaxPool` of 2 × 2 windows, stride 2 (→ `BatchNormalization` with constant
///   parameters) becomes one Conv step that pools, and normalizes, pairs of output rows as it
///   computes them (`ConvKernel.withMaxPool`).
///
/// A chain is merged only when each intermediate value is read by the next node alone and is not a
/// graph output, so nothing else could miss it. The merged kernels add the bias and apply Relu
/// after the whole product with the separate nodes' rounding, and pool and normalize with the
/// separate nodes' operations, so the outputs keep their bits.
enum GraphFusion {
    static func fuse(_ steps: [GraphPlan.Step], initializers: [String: Value], graphOutputs: Set<String>) -> [GraphPlan.Step] {
        var readers: [String: [Int]] = [:]
        for (index, step) in steps.enumerated() {
            for name in step.inputs where !name.isEmpty { readers[name, default: []].append(index) }
        }
        /// The one step reading `name`, when exactly one does (once) and `name` is not a graph output.
        func soleReader(_ name: String) -> Int? {
            guard !graphOutputs.contains(name), let list = readers[name], list.count == 1 else { return nil }
            return list[0]
        }
        func isRelu(_ index: Int) -> Bool { steps[index].opType == "Relu" && steps[index].outputs.count == 1 }

        var removed = Set<Int>()
        var result = steps
        for (index, step) in steps.enumerated() where !removed.contains(index) && step.outputs.count == 1 {
            let output = step.outputs[0]
            switch step.opType {
            case "MatMul":
                guard step.inputs.count == 2, let addIndex = soleReader(output), !removed.contains(addIndex),
                      steps[addIndex].opType == "Add", steps[addIndex].inputs.count == 2, steps[addIndex].outputs.count == 1
                else { continue }
                let add = steps[addIndex]
                let biasFirst = add.inputs[0] != output
                let biasName = biasFirst ? add.inputs[0] : add.inputs[1]
                guard biasName != output, isBiasRow(initializers[biasName]) else { continue }
                var last = add
                var fallback: [any Kernel] = [step.kernel, add.kernel]
                var relu = false
                if let reluIndex = soleReader(add.outputs[0]), !removed.contains(reluIndex), isRelu(reluIndex) {
                    last = steps[reluIndex]
                    fallback.append(last.kernel)
                    relu = true
                    removed.insert(reluIndex)
                }
                removed.insert(addIndex)
                let kernel = DenseLayerKernel(relu: relu, biasFirst: biasFirst, fallback: fallback)
                result[index] = GraphPlan.Step(name: step.name, opType: step.opType, inputs: step.inputs + [biasName],
                                               outputs: last.outputs, kernel: kernel)
            case "Gemm":
                guard let reluIndex = soleReader(output), !removed.contains(reluIndex), isRelu(reluIndex),
                      let gemm = step.kernel as? GemmKernel else { continue }
                removed.insert(reluIndex)
                result[index] = GraphPlan.Step(name: step.name, opType: step.opType, inputs: step.inputs,
                                               outputs: steps[reluIndex].outputs, kernel: gemm.withRelu())
            case "Conv":
                guard var conv = step.kernel as? ConvKernel, step.inputs.count <= 3 else { continue }
                var inputs = step.inputs, outputs = step.outputs
                if let reluIndex = soleReader(outputs[0]), !removed.contains(reluIndex), isRelu(reluIndex) {
                    conv = conv.withRelu()
                    removed.insert(reluIndex)
                    outputs = steps[reluIndex].outputs
                }
                if let poolIndex = soleReader(outputs[0]), !removed.contains(poolIndex), steps[poolIndex].inputs.count == 1,
                   let pool = steps[poolIndex].kernel as? PoolKernel, ConvKernel.poolsPairs(pool) {
                    removed.insert(poolIndex)
                    outputs = [steps[poolIndex].outputs[0]]
                    // The BatchNormalization's parameters follow the Conv's three inputs (an omitted bias as "").
                    while inputs.count < 3 { inputs.append("") }
                    var norm: BatchNormalizationKernel?
                    if let normIndex = soleReader(outputs[0]), !removed.contains(normIndex),
                       let kernel = steps[normIndex].kernel as? BatchNormalizationKernel, steps[normIndex].inputs.count == 5,
                       steps[normIndex].inputs.dropFirst().allSatisfy({ initializers[$0] != nil }) {
                        norm = kernel
                        removed.insert(normIndex)
                        inputs += steps[normIndex].inputs.dropFirst()
                        outputs = [steps[normIndex].outputs[0]]
                    }
                    conv = conv.withMaxPool(pool, then: norm)
                }
                guard outputs != step.outputs else { continue }
                result[index] = GraphPlan.Step(name: step.name, opType: step.opType, inputs: inputs, outputs: outputs, kernel: conv)
            default:
                continue
            }
        }
        return result.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }

    /// A float bias that broadcasts along rows only: `[n]` or `[1, n]`.
    static func isBiasRow(_ value: Value?) -> Bool {
        guard case .tensor(let t)? = value, case .float = t.data else { return false }
        return t.shape.count == 1 || (t.shape.count == 2 && t.shape[0] == 1)
    }
}
