import Foundation
import NightjarCore

/// The ai.onnx.ml tree operators: `TreeEnsembleClassifier` and `TreeEnsembleRegressor` (opsets 1–3,
/// one tuple of `nodes_*` per node) and `TreeEnsemble` (opset 5, interior nodes and leaves apart).
/// All three compile at load time into one `CompiledForest`; the arithmetic after the trees follows
/// onnxruntime, including its binary-classifier conventions, because matching it is the contract.

/// Reads the opset 1–3 encoding (one `nodes_*` tuple per node, weights addressed by tree and node id)
/// into source nodes and leaves for `CompiledForest`.
struct ClassicTreeAttributes<W: BinaryFloatingPoint & Sendable> {
    var forest: CompiledForest<W>
    var baseValues: [W]

    /// `weightPrefix` is `class` or `target`.
    init(_ a: NodeAttributes, weightPrefix: String, targetCount: Int) throws(NightjarError) {
        let what = a.nodeDescription
        let treeIds = a.ints("nodes_treeids")
        let nodeIds = a.ints("nodes_nodeids")
        let featureIds = a.ints("nodes_featureids")
        let modes = a.strings("nodes_modes")
        let trueIds = a.ints("nodes_truenodeids")
        let falseIds = a.ints("nodes_falsenodeids")
        let missing = a.ints("nodes_missing_value_tracks_true")
        let values: [Double] = try a.has("nodes_values_as_tensor")
            ? a.tensorNumbers("nodes_values_as_tensor") : a.floats("nodes_values").map { Double($0) }
        let n = nodeIds.count
        guard n > 0 else { throw a.missing("nodes_nodeids") }
        for (name, count) in [("nodes_treeids", treeIds.count), ("nodes_featureids", featureIds.count), ("nodes_modes", modes.count),
                              ("nodes_truenodeids", trueIds.count), ("nodes_falsenodeids", falseIds.count), ("nodes_values", values.count)]
        where count != n {
            throw a.invalid(name, "has \(count) entries, but nodes_nodeids has \(n)")
        }
        guard missing.isEmpty || missing.count == n else {
            throw a.invalid("nodes_missing_value_tracks_true", "has \(missing.count) entries, but nodes_nodeids has \(n)")
        }

        var index: [TreeNodeKey: Int] = [:]
        var treeOrder: [Int64] = []
        var seenTrees: Set<Int64> = []
        for i in 0..<n {
            let key = TreeNodeKey(tree: treeIds[i], node: nodeIds[i])
            guard index.updateValue(i, forKey: key) == nil else {
                throw a.invalid("nodes_nodeids", "lists node \(nodeIds[i]) of tree \(treeIds[i]) twice")
            }
            if seenTrees.insert(treeIds[i]).inserted { treeOrder.append(treeIds[i]) }
        }

        // Leaves keep their weights in the order the attributes list them, as onnxruntime sums them.
        let wTree = a.ints("\(weightPrefix)_treeids")
        let wNode = a.ints("\(weightPrefix)_nodeids")
        let wTarget = a.ints("\(weightPrefix)_ids")
        let wValue: [W] = try a.has("\(weightPrefix)_weights_as_tensor")
            ? a.tensorNumbers("\(weightPrefix)_weights_as_tensor").map { W($0) } : a.floats("\(weightPrefix)_weights").map { W($0) }
        guard wTree.count == wNode.count, wNode.count == wTarget.count, wTarget.count == wValue.count else {
            throw a.invalid("\(weightPrefix)_weights", "and the other \(weightPrefix)_* attributes differ in length")
        }
        var leafOf = [Int](repeating: -1, count: n)
        var leaves: [[(target: Int, weight: W)]] = []
        for k in 0..<wNode.count {
            guard let i = index[TreeNodeKey(tree: wTree[k], node: wNode[k])] else {
                throw a.invalid("\(weightPrefix)_nodeids", "names node \(wNode[k]) of tree \(wTree[k]), which does not exist")
            }
            guard wTarget[k] >= 0, wTarget[k] < targetCount else {
                throw a.invalid("\(weightPrefix)_ids", "has \(wTarget[k]), outside 0..<\(targetCount)")
            }
            if leafOf[i] < 0 {
                leafOf[i] = leaves.count
                leaves.append([])
            }
            leaves[leafOf[i]].append((Int(wTarget[k]), wValue[k]))
        }

        var sources: [CompiledForest<W>.SourceNode] = []
        sources.reserveCapacity(n)
        var isChild = [Bool](repeating: false, count: n)
        for i in 0..<n {
            guard let mode = TreeNodeMode(name: modes[i]) else {
                throw a.invalid("nodes_modes", "has '\(modes[i])', not one of BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT, BRANCH_EQ, BRANCH_NEQ, LEAF")
            }
            var node = CompiledForest<W>.SourceNode(
                feature: 0, mode: mode, threshold: values[i], members: [],
                missingTracksTrue: !missing.isEmpty && missing[i] != 0, trueChild: .none, falseChild: .none)
            if mode == .leaf {
                if leafOf[i] < 0 {  // a leaf without votes still ends the walk
                    leafOf[i] = leaves.count
                    leaves.append([])
                }
            } else {
                guard featureIds[i] >= 0, featureIds[i] < Int32.max else {
                    throw a.invalid("nodes_featureids", "has \(featureIds[i]) for node \(nodeIds[i]) of tree \(treeIds[i])")
                }
                node.feature = Int(featureIds[i])
                for (isTrue, id) in [(true, trueIds[i]), (false, falseIds[i])] {
                    guard let child = index[TreeNodeKey(tree: treeIds[i], node: id)] else {
                        throw a.invalid(isTrue ? "nodes_truenodeids" : "nodes_falsenodeids",
                                        "sends node \(nodeIds[i]) of tree \(treeIds[i]) to node \(id), which does not exist")
                    }
                    isChild[child] = true
                    if isTrue { node.trueChild = .node(child) } else { node.falseChild = .node(child) }
                }
            }
            sources.append(node)
        }
        for i in 0..<n where leafOf[i] >= 0 && sources[i].mode != .leaf {
            throw a.invalid("\(weightPrefix)_nodeids", "puts weights on node \(nodeIds[i]) of tree \(treeIds[i]), which is a branch")
        }
        // Leaves become references to the leaf list, so the layout treats both encodings alike.
        func child(_ c: CompiledForest<W>.Child) -> CompiledForest<W>.Child {
            if case .node(let i) = c, sources[i].mode == .leaf { return .leaf(leafOf[i]) }
            return c
        }
        for i in 0..<n {
            sources[i].trueChild = child(sources[i].trueChild)
            sources[i].falseChild = child(sources[i].falseChild)
        }
        var rootOf: [Int64: [Int]] = [:]
        for i in 0..<n where !isChild[i] { rootOf[treeIds[i], default: []].append(i) }
        var roots: [CompiledForest<W>.Child] = []
        for tree in treeOrder {
            let candidates = rootOf[tree] ?? []
            guard candidates.count == 1, let root = candidates.first else {
                throw .invalidArgument("\(what): tree \(tree) has \(candidates.count) root nodes (nodes no branch points at); it needs exactly one")
            }
            roots.append(child(.node(root)))
        }
        forest = try CompiledForest(sources: sources, roots: roots, leaves: leaves, targets: targetCount, what: what)
        baseValues = try a.has("base_values_as_tensor")
            ? a.tensorNumbers("base_values_as_tensor").map { W($0) } : a.floats("base_values").map { W($0) }
    }
}

/// A node's identity in the opset 1–3 encoding.
private struct TreeNodeKey: Hashable {
    let tree: Int64
    let node: Int64
}

/// Whether the model gives double thresholds or weights, which makes onnxruntime accumulate in double.
private func usesDoubles(_ a: NodeAttributes) -> Bool {
    ["nodes_values_as_tensor", "class_weights_as_tensor", "target_weights_as_tensor", "base_values_as_tensor"].contains(where: a.has)
}

enum TreeEnsembleFactory {
    static func classifier(_ a: NodeAttributes) throws(NightjarError) -> any Kernel {
        usesDoubles(a) ? DoubleClassifier(kernel: try .init(a)) : FloatClassifier(kernel: try .init(a))
    }

    static func regressor(_ a: NodeAttributes) throws(NightjarError) -> any Kernel {
        usesDoubles(a) ? DoubleRegressor(kernel: try .init(a)) : FloatRegressor(kernel: try .init(a))
    }

    static func ensemble(_ a: NodeAttributes) throws(NightjarError) -> any Kernel {
        let type = a.tensorType("leaf_weights")
        switch type {
        case 1: return FloatEnsemble(kernel: try .init(a))
        case 11: return DoubleEnsemble(kernel: try .init(a))
        default:
            throw a.invalid("leaf_weights", "must be a float or double tensor, got \(ElementType.name(onnx: type ?? 0))")
        }
    }
}

/// The kernels are classes so that a run, whose closures capture the kernel, retains one
/// reference instead of copying every array the kernel holds.
///
/// A generic kernel reached through `any Kernel` runs as unspecialized generic code — metadata
/// lookups and witness calls per node visited, several times slower. These non-generic wrappers
/// call the kernels with their type known, so the optimizer specializes the whole walk.
private struct FloatClassifier: AppendingKernel {
    let kernel: TreeEnsembleClassifierKernel<Float>
    func run(_ inputs: [Value?], arena: inout TensorArena, appendingTo outputs: inout [Value]) throws(NightjarError) {
        try kernel.run(inputs, arena: &arena, appendingTo: &outputs)
    }
}

private struct DoubleClassifier: AppendingKernel {
    let kernel: TreeEnsembleClassifierKernel<Double>
    func run(_ inputs: [Value?], arena: inout TensorArena, appendingTo outputs: inout [Value]) throws(NightjarError) {
        try kernel.run(inputs, arena: &arena, appendingTo: &outputs)
    }
}

private struct FloatRegressor: SingleOutputKernel {
    let kernel: TreeEnsembleRegressorKernel<Float>
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value { try kernel.output(inputs) }
}

private struct DoubleRegressor: SingleOutputKernel {
    let kernel: TreeEnsembleRegressorKernel<Double>
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value { try kernel.output(inputs) }
}

private struct FloatEnsemble: SingleOutputKernel {
    let kernel: TreeEnsembleKernel<Float>
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value { try kernel.output(inputs) }
}

private struct DoubleEnsemble: SingleOutputKernel {
    let kernel: TreeEnsembleKernel<Double>
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value { try kernel.output(inputs) }
}

/// onnxruntime's score transforms, in float as it computes them.
enum TreeScores {
    static func logistic(_ v: Float) -> Float {
        let e = 1 / (1 + exp(-abs(v)))
        return v < 0 ? 1 - e : e
    }

    /// Applies the transform in place to the `count` raw scores at `offset`.
    static func transform(_ transform: PostTransform, _ out: inout [Float], at offset: Int, count: Int) {
        let range = offset..<(offset + count)
        switch transform {
        case .none:
            return
        case .logistic:
            for i in range { out[i] = logistic(out[i]) }
        case .probit:
            for i in range { out[i] = PostTransform.probit(out[i]) }
        case .softmax:
            var m = -Float.greatestFiniteMagnitude
            for i in range where out[i] > m { m = out[i] }
            var sum: Float = 0
            for i in range {
                out[i] = exp(out[i] - m)
                sum += out[i]
            }
            for i in range { out[i] /= sum }
        case .softmaxZero:
            var m = -Float.greatestFiniteMagnitude
            for i in range where out[i] > m { m = out[i] }
            let shrink = exp(-m)
            var sum: Float = 0
            for i in range {
                if out[i] > 0.0000001 || out[i] < -0.0000001 {
                    out[i] = exp(out[i] - m)
                    sum += out[i]
                } else {
                    out[i] *= shrink
                }
            }
            for i in range { out[i] /= sum }
        }
    }
}

/// `TreeEnsembleClassifier`: label `[N]` and scores `[N, classes]`.
final class TreeEnsembleClassifierKernel<W: BinaryFloatingPoint & Sendable>: AppendingKernel {
    let forest: CompiledForest<W>
    let base: [W]
    let labels: ClassLabels
    let transform: PostTransform
    /// Two classes with votes for one of them only: onnxruntime then derives the other class's score.
    let binaryCase: Bool
    let weightsAllPositive: Bool

    init(_ a: NodeAttributes) throws(NightjarError) {
        labels = try ClassLabels(a, ints: "classlabels_int64s", strings: "classlabels_strings")
        guard labels.count >= 2 else { throw a.invalid("classlabels_int64s", "must name at least two classes") }
        let parsed = try ClassicTreeAttributes<W>(a, weightPrefix: "class", targetCount: labels.count)
        forest = parsed.forest
        base = parsed.baseValues
        transform = try PostTransform(a)
        let classIds = Set(a.ints("class_ids"))
        binaryCase = labels.count == 2 && classIds.count == 1
        weightsAllPositive = forest.weightValues.allSatisfy { $0 >= 0 }
        guard base.isEmpty || base.count == labels.count || (labels.count == 2 && base.count == 1) else {
            throw a.invalid("base_values", "has \(base.count) values for \(labels.count) classes")
        }
    }

    func run(_ inputs: [Value?], arena: inout TensorArena, appendingTo outputs: inout [Value]) throws(NightjarError) {
        let x = try KernelInputs(values: inputs, op: "TreeEnsembleClassifier").tensor(0)
        let classes = labels.count
        try forest.withInput(x, op: "TreeEnsembleClassifier") { (input, rows, columns) throws(NightjarError) in
            var scores = [Float](repeating: 0, count: rows * classes)
            var winners = [Int](repeating: 0, count: rows)
            forest.evaluate(input, rows: rows, columns: columns, targets: classes, aggregate: .sum) { r, s, has in
                if classes > 2 {
                    for k in 0..<base.count {
                        s[k] = has[k] ? s[k] + base[k] : base[k]
                        has[k] = true
                    }
                    var best = -1
                    for k in 0..<classes where has[k] && (best < 0 || s[k] > s[best]) { best = k }
                    winners[r] = Swift.max(best, 0)
                    for k in 0..<classes { scores[r * classes + k] = Float(s[k]) }
                    TreeScores.transform(transform, &scores, at: r * classes, count: classes)
                } else {
                    finishBinary(r, s, has, &scores, &winners)
                }
            }
            labels.appendClassifierOutputs(winners: winners, scores: scores, rows: rows, columns: classes, arena: &arena, to: &outputs)
        }
    }

    /// Two classes, following onnxruntime case by case: which base values apply, whether the
    /// second class's score is derived from the first, and the label threshold (0.5 for
    /// probabilities, 0 for margins).
    private func finishBinary(_ r: Int, _ s: UnsafeMutableBufferPointer<W>, _ has: UnsafeMutableBufferPointer<Bool>, _ out: inout [Float], _ winners: inout [Int]) {
        var secondClass = -1
        var count = 2
        switch base.count {
        case 2:
            if has[1] {
                s[1] = base[1] + s[0]
                s[0] = -s[1]
            } else {
                s[1] += base[1]
                s[0] += base[0]
            }
        case 1:
            s[0] += base[0]
            if !has[1] { count = 1 }
        default:
            secondClass = 3
            if !has[1] { count = 1 }
        }
        let positive: W = count == 2 && has[1] ? s[1] : (has[0] ? s[0] : 0)
        let winner: Int
        if binaryCase {
            if weightsAllPositive {
                winner = positive > 0.5 ? 1 : 0
                secondClass = winner == 1 ? 0 : 1
            } else {
                winner = positive > 0 ? 1 : 0
                secondClass = winner == 1 ? 2 : 3
            }
        } else {
            winner = positive > 0 ? 1 : 0
        }
        winners[r] = winner
        let o = r * 2
        if count == 2 {
            out[o] = Float(s[0])
            out[o + 1] = Float(s[1])
            TreeScores.transform(transform, &out, at: o, count: 2)
            return
        }
        let v = Float(s[0])
        if transform == .probit {
            out[o] = PostTransform.probit(v)
            return
        }
        switch secondClass {
        case 0, 1:
            out[o] = 1 - v
            out[o + 1] = v
        case 2, 3:
            if transform == .logistic {
                out[o] = TreeScores.logistic(-v)
                out[o + 1] = TreeScores.logistic(v)
            } else {
                out[o] = -v
                out[o + 1] = v
            }
        default:
            out[o] = v
        }
    }
}

/// Regression's last step, shared by `TreeEnsembleRegressor` and `TreeEnsemble`: onnxruntime
/// special-cases one target (only PROBIT applies there) and adds base values after aggregating.
struct TreeRegressionFinish<W: BinaryFloatingPoint & Sendable>: Sendable {
    let targets: Int
    let trees: Int
    let aggregate: TreeAggregate
    let transform: PostTransform
    let base: [W]

    func finish(_ s: UnsafeMutableBufferPointer<W>, _ has: UnsafeMutableBufferPointer<Bool>, into out: inout [Float], at offset: Int) {
        if targets == 1 {
            let origin: W = base.count == 1 ? base[0] : 0
            var v: W
            switch aggregate {
            case .sum: v = s[0] + origin
            case .average: v = s[0] / W(trees) + origin
            case .min, .max: v = has[0] ? s[0] + origin : origin
            }
            out[offset] = transform == .probit ? PostTransform.probit(Float(v)) : Float(v)
            return
        }
        for t in 0..<targets { out[offset + t] = Float(value(s, has, t)) }
        TreeScores.transform(transform, &out, at: offset, count: targets)
    }

    private func value(_ s: UnsafeMutableBufferPointer<W>, _ has: UnsafeMutableBufferPointer<Bool>, _ t: Int) -> W {
        let b: W = base.count == targets ? base[t] : 0
        switch aggregate {
        case .sum: return s[t] + b
        case .average: return s[t] / W(trees) + b
        case .min, .max: return b + (has[t] ? s[t] : 0)
        }
    }

    /// The same in double, for `TreeEnsemble` on double inputs; transforms other than NONE are
    /// computed in float, as onnxruntime does. `scratch` holds `targets` floats.
    func finish(_ s: UnsafeMutableBufferPointer<W>, _ has: UnsafeMutableBufferPointer<Bool>, into out: inout [Double], at offset: Int, scratch: inout [Float]) {
        if targets == 1 || transform != .none {
            finish(s, has, into: &scratch, at: 0)
            for t in 0..<targets { out[offset + t] = Double(scratch[t]) }
            return
        }
        for t in 0..<targets { out[offset + t] = Double(value(s, has, t)) }
    }
}

/// `TreeEnsembleRegressor`: `[N, n_targets]` floats.
final class TreeEnsembleRegressorKernel<W: BinaryFloatingPoint & Sendable>: Kernel {
    let forest: CompiledForest<W>
    let finish: TreeRegressionFinish<W>

    init(_ a: NodeAttributes) throws(NightjarError) {
        let targetIds = a.ints("target_ids")
        let targets = try a.int("n_targets", default: Int(clamping: targetIds.max() ?? 0) &+ 1)
        guard targets > 0, targets <= 1 << 20 else { throw a.invalid("n_targets", "must be in 1...\(1 << 20), got \(targets)") }
        let parsed = try ClassicTreeAttributes<W>(a, weightPrefix: "target", targetCount: targets)
        forest = parsed.forest
        let text = try a.string("aggregate_function", default: "SUM")
        guard let aggregate = TreeAggregate(rawValue: text) else {
            throw a.invalid("aggregate_function", "= '\(text)' is not SUM, AVERAGE, MIN or MAX")
        }
        finish = TreeRegressionFinish(targets: targets, trees: forest.roots.count, aggregate: aggregate,
                                      transform: try PostTransform(a), base: parsed.baseValues)
    }

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] { [try output(inputs)] }

    /// The one output, without the array `run` returns it in: a run appends it to its results.
    func output(_ inputs: [Value?]) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: "TreeEnsembleRegressor").tensor(0)
        let targets = finish.targets
        return try forest.withInput(x, op: "TreeEnsembleRegressor") { (input, rows, columns) throws(NightjarError) -> Value in
            var out = [Float](repeating: 0, count: rows * targets)
            forest.evaluate(input, rows: rows, columns: columns, targets: targets, aggregate: finish.aggregate) { r, s, has in
                finish.finish(s, has, into: &out, at: r * targets)
            }
            return .tensor(Tensor(shape: [rows, targets], data: .float(out)))
        }
    }
}

/// `TreeEnsemble` (ai.onnx.ml opset 5): interior nodes in `nodes_*`, leaves in `leaf_*`, roots
/// listed, set membership splits; the output has the input's element type.
final class TreeEnsembleKernel<W: BinaryFloatingPoint & Sendable>: Kernel {
    let forest: CompiledForest<W>
    let finish: TreeRegressionFinish<W>

    init(_ a: NodeAttributes) throws(NightjarError) {
        let targets = try a.int("n_targets", default: 1)
        guard targets > 0, targets <= 1 << 20 else { throw a.invalid("n_targets", "must be in 1...\(1 << 20), got \(targets)") }
        let aggregates: [TreeAggregate] = [.average, .sum, .min, .max]
        let aggregateCode = try a.int("aggregate_function", default: 1)
        guard aggregates.indices.contains(aggregateCode) else {
            throw a.invalid("aggregate_function", "= \(aggregateCode) is not 0 (AVERAGE), 1 (SUM), 2 (MIN) or 3 (MAX)")
        }
        let transforms: [PostTransform] = [.none, .softmax, .logistic, .softmaxZero, .probit]
        let transformCode = try a.int("post_transform", default: 0)
        guard transforms.indices.contains(transformCode) else {
            throw a.invalid("post_transform", "= \(transformCode) is not 0–4")
        }

        let features = a.ints("nodes_featureids")
        let n = features.count
        let splits = try a.tensorNumbers("nodes_splits")
        let modes = try a.tensorNumbers("nodes_modes")
        let trueIds = a.ints("nodes_truenodeids")
        let trueLeafs = a.ints("nodes_trueleafs")
        let falseIds = a.ints("nodes_falsenodeids")
        let falseLeafs = a.ints("nodes_falseleafs")
        let missing = a.ints("nodes_missing_value_tracks_true")
        for (name, count) in [("nodes_splits", splits.count), ("nodes_modes", modes.count), ("nodes_truenodeids", trueIds.count),
                              ("nodes_trueleafs", trueLeafs.count), ("nodes_falsenodeids", falseIds.count), ("nodes_falseleafs", falseLeafs.count)]
        where count != n {
            throw a.invalid(name, "has \(count) entries, but nodes_featureids has \(n)")
        }
        guard missing.isEmpty || missing.count == n else {
            throw a.invalid("nodes_missing_value_tracks_true", "has \(missing.count) entries, but nodes_featureids has \(n)")
        }
        let leafTargets = a.ints("leaf_targetids")
        let leafWeights = try a.tensorNumbers("leaf_weights")
        guard leafTargets.count == leafWeights.count else {
            throw a.invalid("leaf_weights", "has \(leafWeights.count) entries, but leaf_targetids has \(leafTargets.count)")
        }
        var leaves: [[(target: Int, weight: W)]] = []
        for (t, w) in zip(leafTargets, leafWeights) {
            guard t >= 0, t < targets else { throw a.invalid("leaf_targetids", "has \(t), outside 0..<\(targets)") }
            leaves.append([(Int(t), W(w))])
        }

        // Set members are listed node after node, each set ended by a NaN.
        var memberSets: [[Double]] = []
        if a.has("membership_values") {
            var current: [Double] = []
            for v in try a.tensorNumbers("membership_values") {
                if v.isNaN {
                    memberSets.append(current)
                    current = []
                } else {
                    current.append(v)
                }
            }
            if !current.isEmpty { memberSets.append(current) }
        }
        var nextSet = 0
        var sources: [CompiledForest<W>.SourceNode] = []
        for i in 0..<n {
            let code = modes[i]
            guard code >= 0, code <= 6, code == code.rounded(), let mode = TreeNodeMode(rawValue: UInt8(code)) else {
                throw a.invalid("nodes_modes", "has \(code) at node \(i), not 0–6")
            }
            guard features[i] >= 0, features[i] < Int32.max else {
                throw a.invalid("nodes_featureids", "has \(features[i]) at node \(i)")
            }
            var members: [Double] = []
            if mode == .member {
                guard nextSet < memberSets.count else {
                    throw a.invalid("membership_values", "has \(memberSets.count) sets, fewer than the BRANCH_MEMBER nodes")
                }
                members = memberSets[nextSet]
                nextSet += 1
            }
            func child(_ id: Int64, _ isLeaf: Int64) -> CompiledForest<W>.Child {
                guard id >= 0, id < Int.max else { return .none }
                return isLeaf != 0 ? .leaf(Int(id)) : .node(Int(id))
            }
            sources.append(.init(
                feature: Int(features[i]), mode: mode, threshold: splits[i], members: members,
                missingTracksTrue: !missing.isEmpty && missing[i] != 0,
                trueChild: child(trueIds[i], trueLeafs[i]), falseChild: child(falseIds[i], falseLeafs[i])))
        }
        let roots = a.ints("tree_roots")
        guard !roots.isEmpty else { throw a.missing("tree_roots") }
        forest = try CompiledForest(sources: sources, roots: roots.map { r in r >= 0 && r < Int.max ? .node(Int(r)) : .none },
                                    leaves: leaves, targets: targets, what: a.nodeDescription)
        finish = TreeRegressionFinish(targets: targets, trees: roots.count, aggregate: aggregates[aggregateCode],
                                      transform: transforms[transformCode], base: [])
    }

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] { [try output(inputs)] }

    /// The one output, without the array `run` returns it in: a run appends it to its results.
    func output(_ inputs: [Value?]) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: "TreeEnsemble").tensor(0)
        let targets = finish.targets
        return try forest.withInput(x, op: "TreeEnsemble") { (input, rows, columns) throws(NightjarError) -> Value in
            if case .double = x.data {
                var out = [Double](repeating: 0, count: rows * targets)
                var scratch = [Float](repeating: 0, count: targets)
                forest.evaluate(input, rows: rows, columns: columns, targets: targets, aggregate: finish.aggregate) { r, s, has in
                    finish.finish(s, has, into: &out, at: r * targets, scratch: &scratch)
                }
                return .tensor(Tensor(shape: [rows, targets], data: .double(out)))
            }
            var out = [Float](repeating: 0, count: rows * targets)
            forest.evaluate(input, rows: rows, columns: columns, targets: targets, aggregate: finish.aggregate) { r, s, has in
                finish.finish(s, has, into: &out, at: r * targets)
            }
            return .tensor(Tensor(shape: [rows, targets], data: .float(out)))
        }
    }
}
