import NightjarCore

/// One branch, 24 bytes. Trees are laid out depth first, one after another, so a tree's branches
/// are contiguous and each false child that is a branch sits right after its parent.
struct TreeNode {
    /// The split value, compared as a double so float and double inputs and thresholds compare as
    /// onnxruntime's mixed-type comparisons do. For `BRANCH_MEMBER` it holds the index of the node's
    /// value set instead, to keep every node the same size.
    var threshold: Double
    var feature: Int32
    /// A child is a branch index, or a leaf as `~leafIndex` (negative): the walk ends on the sign,
    /// without loading a node for the leaf.
    var trueChild: Int32
    var falseChild: Int32
    var mode: TreeNodeMode
    var missingTracksTrue: Bool
}

enum TreeNodeMode: UInt8 {
    case leq = 0, lt, gte, gt, eq, neq, member, leaf

    init?(name: String) {
        switch name {
        case "BRANCH_LEQ": self = .leq
        case "BRANCH_LT": self = .lt
        case "BRANCH_GTE": self = .gte
        case "BRANCH_GT": self = .gt
        case "BRANCH_EQ": self = .eq
        case "BRANCH_NEQ": self = .neq
        case "LEAF": self = .leaf
        default: return nil
        }
    }
}

enum TreeAggregate: String {
    case sum = "SUM", average = "AVERAGE", min = "MIN", max = "MAX"
}

/// The trees of one operator compiled at load into flat arrays: branches in `nodes`, leaves as
/// ranges of a flat weight array. `W` is the type onnxruntime accumulates in: float, or double when
/// the model gives double weights.
struct CompiledForest<W: BinaryFloatingPoint & Sendable>: Sendable {
    var nodes: [TreeNode] = []
    /// Each tree's root: a branch index, or `~leaf` for a tree that is a single leaf.
    var roots: [Int32] = []
    /// Leaf `l` votes `weightValues[k]` for target `weightTargets[k]`, k in `leafStart[l]..<leafStart[l + 1]`.
    var leafStart: [Int32] = [0]
    var weightTargets: [Int32] = []
    var weightValues: [W] = []
    var memberSets: [[Double]] = []
    var featureCount = 0
    /// Every branch is `BRANCH_LEQ`, as skl2onnx and onnxmltools write them: the walk then needs no
    /// switch on the mode.
    var allLessOrEqual = true
    /// When every leaf votes for the same targets, which targets have votes is the same for every
    /// row and need not be tracked per row (nil otherwise).
    var uniformVotes: [Bool]?

    /// Rows evaluated together, tree by tree: their features and scores stay in cache while one
    /// tree's nodes are walked for each of them.
    static var blockRows: Int { 128 }

    /// A node as the compiler sees it before layout.
    struct SourceNode {
        var feature: Int
        var mode: TreeNodeMode
        var threshold: Double
        var members: [Double]
        var missingTracksTrue: Bool
        /// Children as indices into the source nodes, or leaves as indices into `leaves`.
        var trueChild: Child
        var falseChild: Child
    }

    enum Child { case node(Int), leaf(Int), none }

    /// Lays the trees out depth first with each false child adjacent to its parent. Every source
    /// node may be reached once only, which refuses cycles and shared subtrees with a clear message.
    init(sources: [SourceNode], roots rootList: [Child], leaves: [[(target: Int, weight: W)]], targets: Int, what: String) throws(NightjarError) {
        var reached = [Bool](repeating: false, count: sources.count)
        var votes: [Bool]?
        var votesDiffer = false
        // Appends a leaf's weights and returns the child pointer to it.
        func addLeaf(_ l: Int) throws(NightjarError) -> Int32 {
            guard leaves.indices.contains(l) else {
                throw .invalidArgument("\(what): a branch points at leaf \(l), but there are \(leaves.count) leaves")
            }
            var voted = [Bool](repeating: false, count: targets)
            for (target, weight) in leaves[l] {
                weightTargets.append(Int32(target))
                weightValues.append(weight)
                voted[target] = true
            }
            if let v = votes, v != voted { votesDiffer = true }
            votes = voted
            leafStart.append(Int32(weightValues.count))
            return ~Int32(leafStart.count - 2)
        }
        for root in rootList {
            // (child, index of the parent whose pointer to patch, whether it is the true child)
            var stack: [(Child, Int, Bool)] = [(root, -1, false)]
            while let (child, parent, isTrue) = stack.popLast() {
                let pointer: Int32
                switch child {
                case .none:
                    throw .invalidArgument("\(what): a branch node has no child")
                case .leaf(let l):
                    pointer = try addLeaf(l)
                case .node(let i):
                    guard sources.indices.contains(i) else {
                        throw .invalidArgument("\(what): a branch points at node \(i), but there are \(sources.count) nodes")
                    }
                    guard !reached[i] else {
                        throw .invalidArgument("\(what): node \(i) is reached twice, so the trees have a cycle or share a subtree")
                    }
                    reached[i] = true
                    let s = sources[i]
                    var threshold = s.threshold
                    if s.mode == .member {
                        threshold = Double(memberSets.count)
                        memberSets.append(s.members.sorted())
                    }
                    if s.mode != .leq { allLessOrEqual = false }
                    featureCount = Swift.max(featureCount, s.feature + 1)
                    pointer = Int32(nodes.count)
                    nodes.append(TreeNode(threshold: threshold, feature: Int32(s.feature), trueChild: 0, falseChild: 0,
                                          mode: s.mode, missingTracksTrue: s.missingTracksTrue))
                    stack.append((s.trueChild, Int(pointer), true))
                    stack.append((s.falseChild, Int(pointer), false))
                }
                if parent < 0 {
                    roots.append(pointer)
                } else if isTrue {
                    nodes[parent].trueChild = pointer
                } else {
                    nodes[parent].falseChild = pointer
                }
            }
        }
        if !votesDiffer, !rootList.isEmpty { uniformVotes = votes }
        precondition(MemoryLayout<TreeNode>.offset(of: \TreeNode.falseChild) == Self.childOffset + 4,
                     "the branch-free walk reads a node's children as a pair")
    }

    /// Where a `BRANCH_LEQ` node sends a row: its false child when `v > threshold`, or when `v` is
    /// NaN (which fails every comparison) and the node does not send missing values true. The
    /// child is read at an offset computed from the comparison rather than chosen by a branch:
    /// split directions are data, and mispredicted branches were most of a walk's time.
    @inline(__always)
    static func childLessOrEqual(_ node: UnsafePointer<TreeNode>, _ v: Double) -> Int32 {
        let n = node.pointee
        let greater = v > n.threshold ? 1 : 0
        let nanGoesFalse = (v.isNaN ? 1 : 0) & (n.missingTracksTrue ? 0 : 1)
        return UnsafeRawPointer(node).load(fromByteOffset: childOffset + 4 * (greater | nanGoesFalse), as: Int32.self)
    }

    /// `TreeNode.trueChild`'s offset; `falseChild` follows it (checked at load).
    static var childOffset: Int { MemoryLayout<TreeNode>.offset(of: \TreeNode.trueChild)! }

    /// The leaf a row reaches from `root` when every branch is `BRANCH_LEQ`.
    @inline(__always)
    func leafLessOrEqual<X: BinaryFloatingPoint>(_ root: Int32, _ row: UnsafePointer<X>, _ nodes: UnsafePointer<TreeNode>) -> Int {
        var i = root
        while i >= 0 {
            let node = nodes + Int(i)
            i = Self.childLessOrEqual(node, Double(row[Int(node.pointee.feature)]))
        }
        return Int(~i)
    }

    /// Four walks together, every branch `BRANCH_LEQ`: four rows down one tree, or one row down
    /// four trees. Four independent chains of loads overlap instead of each level waiting on the
    /// one before. A walk that reached its leaf (a negative index) stays there, reading node 0
    /// harmlessly, until all four have.
    @inline(__always)
    func leavesLessOrEqual<X: BinaryFloatingPoint>(
        _ roots: (Int32, Int32, Int32, Int32), _ rows: (UnsafePointer<X>, UnsafePointer<X>, UnsafePointer<X>, UnsafePointer<X>),
        _ nodes: UnsafePointer<TreeNode>
    ) -> (Int, Int, Int, Int) {
        @inline(__always)
        func step(_ i: Int32, _ row: UnsafePointer<X>) -> Int32 {
            let node = nodes + Int(Swift.max(i, 0))
            let next = Self.childLessOrEqual(node, Double(row[Int(node.pointee.feature)]))
            return i < 0 ? i : next
        }
        var (i0, i1, i2, i3) = roots
        while i0 & i1 & i2 & i3 >= 0 {
            i0 = step(i0, rows.0)
            i1 = step(i1, rows.1)
            i2 = step(i2, rows.2)
            i3 = step(i3, rows.3)
        }
        return (Int(~i0), Int(~i1), Int(~i2), Int(~i3))
    }

    /// The leaf a row reaches from `root`, any mode.
    @inline(__always)
    func leaf<X: BinaryFloatingPoint>(_ root: Int32, _ row: UnsafePointer<X>, _ nodes: UnsafeBufferPointer<TreeNode>) -> Int {
        var i = root
        while i >= 0 {
            let n = nodes[Int(i)]
            let v = Double(row[Int(n.feature)])
            let goTrue: Bool
            switch n.mode {
            case .leq: goTrue = v <= n.threshold
            case .lt: goTrue = v < n.threshold
            case .gte: goTrue = v >= n.threshold
            case .gt: goTrue = v > n.threshold
            case .eq: goTrue = v == n.threshold
            case .neq: goTrue = v != n.threshold
            // onnxruntime tests set membership on the value truncated to an integer (its sets are
            // category codes), so 0.7 is a member of {0}; answers follow it.
            case .member: goTrue = memberSets[Int(n.threshold)].contains(v.rounded(.towardZero))
            case .leaf: goTrue = false
            }
            i = goTrue || (n.missingTracksTrue && v.isNaN) ? n.trueChild : n.falseChild
        }
        return Int(~i)
    }

    /// Runs every tree over every row and hands each row's raw aggregate to `finish`: `targets`
    /// scores and whether any tree voted for each target, as onnxruntime tracks it. Rows go in
    /// blocks, each tree over the whole block before the next tree; a row still sums its trees in
    /// model order, as onnxruntime does, so the float sums are the same. Scratch lives on the stack
    /// (a temporary heap buffer only when a block's scores outgrow it, with very many targets).
    func evaluate<X: BinaryFloatingPoint>(
        _ x: UnsafeBufferPointer<X>, rows: Int, columns: Int, targets: Int, aggregate: TreeAggregate,
        _ finish: (_ row: Int, _ scores: UnsafeMutableBufferPointer<W>, _ has: UnsafeMutableBufferPointer<Bool>) -> Void
    ) {
        guard let base = x.baseAddress, rows > 0 else { return }
        let block = Swift.min(rows, Self.blockRows)
        let summing = aggregate == .sum || aggregate == .average
        let uniform = summing ? uniformVotes : nil
        let trackVotes = uniform == nil
        withUnsafeTemporaryAllocation(of: W.self, capacity: block * targets) { acc in
            withUnsafeTemporaryAllocation(of: Bool.self, capacity: block * targets) { has in
                nodes.withUnsafeBufferPointer { nodeBuffer in
                    // Only read when some root is a branch, so never when the array is empty.
                    let nodes = nodeBuffer.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<TreeNode>.alignment)!
                    leafStart.withUnsafeBufferPointer { starts in
                        weightTargets.withUnsafeBufferPointer { wt in
                            weightValues.withUnsafeBufferPointer { wv in
                                var first = 0
                                while first < rows {
                                    let count = Swift.min(block, rows - first)
                                    let used = count * targets
                                    acc.baseAddress!.initialize(repeating: 0, count: used)
                                    has.baseAddress!.initialize(repeating: false, count: used)
                                    // Adds leaf `l`'s votes to block row `r`.
                                    func vote(_ l: Int, _ r: Int) {
                                        let o = r * targets
                                        if !trackVotes {
                                            for k in Int(starts[l])..<Int(starts[l + 1]) { acc[o + Int(wt[k])] += wv[k] }
                                            return
                                        }
                                        for k in Int(starts[l])..<Int(starts[l + 1]) {
                                            let t = o + Int(wt[k])
                                            let w = wv[k]
                                            switch aggregate {
                                            case .sum, .average: acc[t] += w
                                            case .min: acc[t] = has[t] && acc[t] <= w ? acc[t] : w
                                            case .max: acc[t] = has[t] && acc[t] >= w ? acc[t] : w
                                            }
                                            has[t] = true
                                        }
                                    }
                                    let blockBase = base + first * columns
                                    func rowAt(_ r: Int) -> UnsafePointer<X> { blockBase + r * columns }
                                    if allLessOrEqual {
                                        // Rows four at a time, tree by tree; the rows left over
                                        // (all of them at batch 1) go through four trees at a time.
                                        let grouped = count - count % 4
                                        for root in roots {
                                            for r in stride(from: 0, to: grouped, by: 4) {
                                                let (l0, l1, l2, l3) = leavesLessOrEqual(
                                                    (root, root, root, root), (rowAt(r), rowAt(r + 1), rowAt(r + 2), rowAt(r + 3)), nodes)
                                                vote(l0, r)
                                                vote(l1, r + 1)
                                                vote(l2, r + 2)
                                                vote(l3, r + 3)
                                            }
                                        }
                                        for r in grouped..<count {
                                            let row = rowAt(r)
                                            var t = 0
                                            while t + 4 <= roots.count {
                                                let (l0, l1, l2, l3) = leavesLessOrEqual(
                                                    (roots[t], roots[t + 1], roots[t + 2], roots[t + 3]), (row, row, row, row), nodes)
                                                vote(l0, r)
                                                vote(l1, r)
                                                vote(l2, r)
                                                vote(l3, r)
                                                t += 4
                                            }
                                            for root in roots[t...] { vote(leafLessOrEqual(root, row, nodes), r) }
                                        }
                                    } else {
                                        for root in roots {
                                            for r in 0..<count { vote(leaf(root, rowAt(r), nodeBuffer), r) }
                                        }
                                    }
                                    for r in 0..<count {
                                        let o = r * targets
                                        if let uniform {
                                            for t in 0..<targets { has[o + t] = uniform[t] }
                                        }
                                        finish(first + r, UnsafeMutableBufferPointer(rebasing: acc[o..<(o + targets)]),
                                               UnsafeMutableBufferPointer(rebasing: has[o..<(o + targets)]))
                                    }
                                    first += count
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with the input as a float or double buffer (integers are widened to double) and
    /// its row and column counts, after checking every split feature exists.
    func withInput<R>(_ x: Tensor, op: String, _ body: (InputBuffer, Int, Int) throws(NightjarError) -> R) throws(NightjarError) -> R {
        let rows: Int, columns: Int
        switch x.shape.count {
        case 1: (rows, columns) = (1, x.shape[0])
        case 2: (rows, columns) = (x.shape[0], x.shape[1])
        default: throw .invalidArgument("\(op) expects a 1-D or 2-D input, got shape \(x.shape)")
        }
        guard x.data.count == rows * columns else {
            throw .invalidArgument("\(op): input shape \(x.shape) does not match its \(x.data.count) values")
        }
        guard featureCount <= columns else {
            throw .invalidArgument("\(op): input has \(columns) features, but the trees split on feature \(featureCount - 1)")
        }
        switch x.data {
        case .float(let v): return try body(.float(v), rows, columns)
        case .double(let v): return try body(.double(v), rows, columns)
        case .int64(let v): return try body(.double(v.map { Double($0) }), rows, columns)
        case .int32(let v): return try body(.double(v.map { Double($0) }), rows, columns)
        case .bool, .string: throw .invalidArgument("\(op) expects a numeric input, got \(x.dataType.rawValue)")
        }
    }

    enum InputBuffer {
        case float([Float])
        case double([Double])
    }

    func evaluate(
        _ input: InputBuffer, rows: Int, columns: Int, targets: Int, aggregate: TreeAggregate,
        _ finish: (_ row: Int, _ scores: UnsafeMutableBufferPointer<W>, _ has: UnsafeMutableBufferPointer<Bool>) -> Void
    ) {
        switch input {
        case .float(let v): v.withUnsafeBufferPointer { evaluate($0, rows: rows, columns: columns, targets: targets, aggregate: aggregate, finish) }
        case .double(let v): v.withUnsafeBufferPointer { evaluate($0, rows: rows, columns: columns, targets: targets, aggregate: aggregate, finish) }
        }
    }
}
