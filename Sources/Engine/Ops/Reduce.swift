import Foundation
import NightjarCore

/// The `Reduce*` family: sum, mean, max, min, product, sum of squares, log-sum, log-sum-exp, L1 and
/// L2 over chosen axes (all by default), keeping reduced dimensions as 1 unless `keepdims` is 0.
/// Axes are an attribute until ReduceSum-13 / the others' opset 18 and an input after.
struct ReduceKernel: SingleOutputKernel {
    enum Op: String {
        case sum = "ReduceSum", mean = "ReduceMean", max = "ReduceMax", min = "ReduceMin", prod = "ReduceProd"
        case sumSquare = "ReduceSumSquare", logSum = "ReduceLogSum", logSumExp = "ReduceLogSumExp", l1 = "ReduceL1", l2 = "ReduceL2"
    }

    let op: Op
    let keepDims: Bool
    let attributeAxes: [Int]?
    let noopWithEmptyAxes: Bool

    init(_ op: Op, _ a: NodeAttributes, axesAsInput: Bool) throws(NightjarError) {
        self.op = op
        keepDims = try a.int("keepdims", default: 1) != 0
        attributeAxes = axesAsInput ? nil : a.ints("axes").map { Int(truncatingIfNeeded: $0) }
        noopWithEmptyAxes = try a.int("noop_with_empty_axes", default: 0) != 0
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: op.rawValue)
        let x = try args.tensor(0)
        try Shapes.check(x, op: op.rawValue)
        var axes = attributeAxes ?? []
        if attributeAxes == nil, inputs.count > 1, inputs[1] != nil {
            axes = try args.tensor(1).data.integers(op: op.rawValue)
        }
        if axes.isEmpty && attributeAxes == nil && noopWithEmptyAxes { return .tensor(x) }
        let rank = x.shape.count
        var reduced = Set<Int>()
        for a in axes { reduced.insert(try Shapes.axis(a, rank: rank, op: op.rawValue)) }
        if axes.isEmpty { reduced = Set(0..<rank) }
        let kept = x.shape.enumerated().map { reduced.contains($0.offset) ? 1 : $0.element }
        let outCount = kept.reduce(1, *)
        let target = Shapes.broadcastIndices(from: kept, to: x.shape)
        let groupSize = outCount == 0 ? 0 : x.data.count / outCount
        let shape = keepDims ? kept : x.shape.enumerated().filter { !reduced.contains($0.offset) }.map(\.element)
        switch x.data {
        case .float(let v): return .tensor(Tensor(shape: shape, data: .float(reduce(v, target, outCount, groupSize))))
        case .double(let v): return .tensor(Tensor(shape: shape, data: .double(reduce(v, target, outCount, groupSize))))
        case .int64(let v) where [.sum, .max, .min, .prod, .sumSquare, .l1].contains(op):
            return .tensor(Tensor(shape: shape, data: .int64(reduceIntegers(v, target, outCount))))
        case .int32(let v) where [.sum, .max, .min, .prod, .sumSquare, .l1].contains(op):
            return .tensor(Tensor(shape: shape, data: .int32(reduceIntegers(v, target, outCount))))
        default:
            throw .invalidArgument("\(op.rawValue): element type \(x.dataType.rawValue) is not supported")
        }
    }

    private func reduce<T: BinaryFloatingPoint & ElementaryFunctions>(_ v: [T], _ target: [Int], _ n: Int, _ group: Int) -> [T] {
        var out = [T](repeating: 0, count: n)
        switch op {
        case .max, .min:
            var seen = [Bool](repeating: false, count: n)
            for (i, e) in v.enumerated() {
                let o = target[i]
                if !seen[o] || (op == .max ? e > out[o] : e < out[o]) || e.isNaN { out[o] = e }
                seen[o] = true
            }
            for o in 0..<n where !seen[o] { out[o] = op == .max ? -T.infinity : T.infinity }
            return out
        case .prod:
            out = [T](repeating: 1, count: n)
            for (i, e) in v.enumerated() { out[target[i]] *= e }
            return out
        case .logSumExp:
            var m = [T](repeating: -T.infinity, count: n)
            for (i, e) in v.enumerated() where e > m[target[i]] { m[target[i]] = e }
            for (i, e) in v.enumerated() { out[target[i]] += T.exp(e - m[target[i]]) }
            return out.enumerated().map { T.log($1) + m[$0] }
        default:
            for (i, e) in v.enumerated() {
                switch op {
                case .sumSquare, .l2: out[target[i]] += e * e
                case .l1: out[target[i]] += Swift.abs(e)
                default: out[target[i]] += e
                }
            }
            switch op {
            case .mean: return out.map { group == 0 ? .nan : $0 / T(group) }
            case .l2: return out.map { $0.squareRoot() }
            case .logSum: return out.map { T.log($0) }
            default: return out
            }
        }
    }

    private func reduceIntegers<T: FixedWidthInteger & SignedInteger>(_ v: [T], _ target: [Int], _ n: Int) -> [T] {
        var out = [T](repeating: op == .prod ? 1 : 0, count: n)
        var seen = [Bool](repeating: false, count: n)
        for (i, e) in v.enumerated() {
            let o = target[i]
            switch op {
            case .max: out[o] = seen[o] ? Swift.max(out[o], e) : e
            case .min: out[o] = seen[o] ? Swift.min(out[o], e) : e
            case .prod: out[o] = out[o] &* e
            case .sumSquare: out[o] = out[o] &+ e &* e
            case .l1: out[o] = out[o] &+ (e < 0 ? 0 &- e : e)
            default: out[o] = out[o] &+ e
            }
            seen[o] = true
        }
        return out
    }
}
