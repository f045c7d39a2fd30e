import NightjarCore

/// The outputs of steps that depend on tensor shapes alone, kept from one run to the next.
///
/// PyTorch exports compute reshape targets at run time: `Shape` of an activation, then `Gather`,
/// `Unsqueeze`, `Concat` and friends on a handful of integers. Those steps give the same answer
/// for as long as the shapes they read stay the same, which in a serving workload is every
/// request of a batch size. A step is memoized when it is a `Shape` or `Size` (keyed by its
/// input's shape) or when each of its inputs is a constant or a memoized step's output (keyed by
/// the generations of those steps' outputs it was computed from). That is exact memoization of
/// pure functions: nothing is assumed about how shapes flow through the graph.
struct ShapeMemo: Sendable {
    /// What a memoized step's outputs depend on; decided at load.
    enum Role: Sendable {
        /// A `Shape` or `Size`: only its input's shape.
        case shapeOf
        /// Only the outputs of these memoized steps (by step index) and constants.
        case derived(producers: [Int])

        /// The role of each step (nil for steps that read data), in the steps' order.
        static func plan(_ steps: [GraphPlan.Step], constants: Set<String>) -> [Role?] {
            var producer: [String: Int] = [:]
            var roles = [Role?](repeating: nil, count: steps.count)
            for (index, step) in steps.enumerated() {
                if step.opType == "Shape" || step.opType == "Size" {
                    roles[index] = .shapeOf
                } else {
                    let named = step.inputs.filter { !$0.isEmpty }
                    let producers = Set(named.compactMap { producer[$0] })
                    guard !producers.isEmpty, named.allSatisfy({ constants.contains($0) || producer[$0] != nil }) else { continue }
                    roles[index] = .derived(producers: producers.sorted())
                }
                for name in step.outputs where !name.isEmpty { producer[name] = index }
            }
            return roles
        }
    }

    private var outputs: [[Value]?]
    private var generations: [Int]
    /// Per step: the input's shape (`shapeOf`) or the producers' generations (`derived`) its
    /// outputs were computed from.
    private var keys: [[Int]]

    init(stepCount: Int) {
        outputs = Array(repeating: nil, count: stepCount)
        generations = Array(repeating: 0, count: stepCount)
        keys = Array(repeating: [], count: stepCount)
    }

    /// The step's outputs from an earlier run, when what they depend on has not changed since.
    func reusable(step: Int, role: Role, args: [Value?]) -> [Value]? {
        guard let cached = outputs[step] else { return nil }
        switch role {
        case .shapeOf:
            guard case .tensor(let t)? = args.first ?? nil, t.shape == keys[step] else { return nil }
        case .derived(let producers):
            for (position, producer) in producers.enumerated() where keys[step][position] != generations[producer] {
                return nil
            }
        }
        return cached
    }

    /// Keeps a step's freshly computed outputs for the next runs.
    mutating func store(_ results: [Value], step: Int, role: Role, args: [Value?]) {
        keys[step].removeAll(keepingCapacity: true)
        switch role {
        case .shapeOf:
            guard case .tensor(let t)? = args.first ?? nil else {
                outputs[step] = nil
                return
            }
            keys[step].append(contentsOf: t.shape)
        case .derived(let producers):
            for producer in producers { keys[step].append(generations[producer]) }
        }
        outputs[step] = results
        generations[step] &+= 1
    }
}
