import CEngineKernels
import Foundation
import NightjarCore

/// `BatchNormalization` in inference mode: `y = x · s + (B − mean · s)` with `s = scale / √(var + ε)`
/// per channel (axis 1), the factors folded first as onnxruntime folds them. Training mode, which
/// would update running statistics, is refused at load.
struct BatchNormalizationKernel: SingleOutputArenaKernel {
    let epsilon: Float

    init(_ a: NodeAttributes) throws(NightjarError) {
        epsilon = try a.float("epsilon", default: 1e-5)
        if try a.int("training_mode", default: 0) != 0 {
            throw a.invalid("training_mode", "is 1; the engine runs models for inference only")
        }
        if try a.int("spatial", default: 1) == 0 {
            throw a.invalid("spatial", "is 0 (statistics per element, not per channel), which the engine does not support")
        }
        if a.node.output.dropFirst().contains(where: { !$0.isEmpty }) {
            throw a.invalid("outputs", "ask for running statistics, which only training computes")
        }
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "BatchNormalization")
        let x = try args.tensor(0)
        try Shapes.check(x, op: "BatchNormalization")
        guard x.shape.count >= 2 else { throw .invalidArgument("BatchNormalization: input \(x.shape) has no channel axis") }
        let channels = x.shape[1]
        let (gamma, beta, mean, variance) = try Self.parameters(args, first: 1, channels: channels)
        guard case .float(let xv) = x.data else {
            throw .invalidArgument("BatchNormalization: element type \(x.dataType.rawValue) is not supported (float only)")
        }
        let inner = try WindowGeometry.count(x.shape[2...], op: "BatchNormalization")
        // Plane by plane, so the channel is not recomputed (a division) per element; each plane's
        // factors are folded as they are needed, the same float operations as folding them first.
        let out = xv.withUnsafeBufferPointer { xp in
            arena.floats(count: xv.count) { op in
                guard let x = xp.baseAddress, let o = op.baseAddress else { return }
                for plane in 0..<(xv.count / max(inner, 1)) {
                    let c = plane % channels
                    let (s, b) = fold(gamma[c], beta[c], mean[c], variance[c])
                    let src = x + plane * inner, dst = o + plane * inner
                    for j in 0..<inner { dst[j] = src[j] * s + b }
                }
            }
        }
        return .tensor(Tensor(shape: x.shape, data: .float(out)))
    }

    /// One channel's factor and offset: `y = x · scale + shift`.
    @inline(__always)
    func fold(_ gamma: Float, _ beta: Float, _ mean: Float, _ variance: Float) -> (scale: Float, shift: Float) {
        let scale = gamma / (variance + epsilon).squareRoot()
        return (scale, beta - mean * scale)
    }

    /// Scale, B, mean and variance, from input `first` on, each `channels` floats.
    static func parameters(_ args: KernelInputs, first: Int, channels: Int) throws(NightjarError)
        -> (gamma: [Float], beta: [Float], mean: [Float], variance: [Float]) {
        func parameter(_ i: Int) throws(NightjarError) -> [Float] {
            let t = try args.tensor(i)
            guard case .float(let v) = t.data, v.count == channels else {
                throw .invalidArgument("BatchNormalization: input \(i - first + 1) of shape \(t.shape) must hold \(channels) floats")
            }
            return v
        }
        return (try parameter(first), try parameter(first + 1), try parameter(first + 2), try parameter(first + 3))
    }

    /// Every channel's factor and offset (`fold`) from the four parameters (scale, B, mean, variance)
    /// at `inputs[first...]`, in arena buffers: for a kernel that applies the normalization itself.
    func folded(_ inputs: [Value?], first: Int, channels: Int,
                arena: inout TensorArena) throws(NightjarError) -> (scale: [Float], shift: [Float]) {
        let (gamma, beta, mean, variance) = try Self.parameters(KernelInputs(values: inputs, op: "BatchNormalization"),
                                                                 first: first, channels: channels)
        let scale = arena.floats(count: channels) { s in
            for c in 0..<channels { s[c] = fold(gamma[c], beta[c], mean[c], variance[c]).scale }
        }
        let shift = arena.floats(count: channels) { t in
            for c in 0..<channels { t[c] = fold(gamma[c], beta[c], mean[c], variance[c]).shift }
        }
        return (scale, shift)
    }
}

/// `LayerNormalization`: each slice from `axis` to the end normalized to zero mean and unit
/// variance, then scaled and shifted; the optional outputs are the mean and 1/σ per slice.
/// Statistics are taken in double, as E[x²] − E[x]², the form onnxruntime uses.
struct LayerNormalizationKernel: AppendingArenaKernel {
    let axis: Int
    let epsilon: Double
    /// How many outputs the node names: the mean and inverse deviation are written out only when
    /// asked for (PyTorch exports ask for the normalized values alone).
    let outputs: Int

    init(_ a: NodeAttributes) throws(NightjarError) {
        axis = try a.int("axis", default: -1)
        epsilon = Double(try a.float("epsilon", default: 1e-5))
        outputs = max(1, min(a.node.output.count, 3))
    }

    func run(_ inputs: [Value?], arena: inout TensorArena, appendingTo results: inout [Value]) throws(NightjarError) {
        let args = KernelInputs(values: inputs, op: "LayerNormalization")
        let x = try args.tensor(0), scale = try args.tensor(1)
        let bias: Tensor? = inputs.count > 2 && inputs[2] != nil ? try args.tensor(2) : nil
        try Shapes.check(x, op: "LayerNormalization")
        try Shapes.check(scale, op: "LayerNormalization")
        if let bias { try Shapes.check(bias, op: "LayerNormalization") }
        let a = try Shapes.axis(axis, rank: x.shape.count, op: "LayerNormalization")
        // Parts of a checked shape, so their products cannot overflow.
        let size = x.shape[a...].reduce(1, *)
        let rows = x.shape[..<a].reduce(1, *)
        guard case .float(let xv) = x.data, case .float(let sv) = scale.data else {
            throw .invalidArgument("LayerNormalization: element types \(x.dataType.rawValue), \(scale.dataType.rawValue) are not supported (float only)")
        }
        let norm = x.shape[a...]
        // Scale and bias as plain rows of the slice, so the loop below reads them without indices;
        // already rows when their shape is the slice's (the usual case), without an index walk.
        let scaleRow = try Self.row(sv, scale.shape, norm, "scale")
        var biasRow: [Float] = []
        if let bias {
            guard case .float(let v) = bias.data else { throw .invalidArgument("LayerNormalization: bias must be float") }
            biasRow = try Self.row(v, bias.shape, norm, "bias")
        }
        // Every element is written below, by the C kernel or the loop.
        var means = arena.floats(count: rows) { _ in }, inverse = arena.floats(count: rows) { _ in }
        let out = xv.withUnsafeBufferPointer { xp in
            arena.floats(count: xv.count) { op in
                guard let x = xp.baseAddress, let o = op.baseAddress else { return }
                if BlockedGemm.fusedMultiplyAdd {
                    // Vector sums and a reciprocal per row (layer_norm.c): the scalar loop's one
                    // chain of double additions and a double division per element were its cost.
                    scaleRow.withUnsafeBufferPointer { sp in
                        biasRow.withUnsafeBufferPointer { bp in
                            means.withUnsafeMutableBufferPointer { mp in
                                inverse.withUnsafeMutableBufferPointer { ip in
                                    guard let s = sp.baseAddress, let m = mp.baseAddress, let i = ip.baseAddress else { return }
                                    nj_layer_norm_fma(x, o, rows, size, s, bp.baseAddress, epsilon, m, i)
                                }
                            }
                        }
                    }
                    return
                }
                for r in 0..<rows {
                    let src = x + r * size, dst = o + r * size
                    var sum = 0.0, squares = 0.0
                    for i in 0..<size {
                        let v = Double(src[i])
                        sum += v
                        squares += v * v
                    }
                    let mean = sum / Double(size)
                    let deviation = (max(squares / Double(size) - mean * mean, 0) + epsilon).squareRoot()
                    if biasRow.isEmpty {
                        for j in 0..<size { dst[j] = Float((Double(src[j]) - mean) / deviation * Double(scaleRow[j])) }
                    } else {
                        for j in 0..<size {
                            dst[j] = Float((Double(src[j]) - mean) / deviation * Double(scaleRow[j]) + Double(biasRow[j]))
                        }
                    }
                    means[r] = Float(mean)
                    inverse[r] = Float(1 / deviation)
                }
            }
        }
        results.append(.tensor(Tensor(shape: x.shape, data: .float(out))))
        let statShape = arena.shape(rank: x.shape.count) { $0 < a ? x.shape[$0] : 1 }
        if outputs > 1 { results.append(.tensor(Tensor(shape: statShape, data: .float(means)))) } else { arena.recycle(means) }
        if outputs > 2 { results.append(.tensor(Tensor(shape: statShape, data: .float(inverse)))) } else { arena.recycle(inverse) }
    }

    /// A scale or bias as one value per element of the normalized slice.
    static func row(_ values: [Float], _ shape: [Int], _ norm: ArraySlice<Int>, _ name: String) throws(NightjarError) -> [Float] {
        if shape.elementsEqual(norm) { return values }
        return try broadcastTo(Array(norm), shape, name).map { values[$0] }
    }

    /// Indices of a scale or bias broadcast over the normalized slice.
    static func broadcastTo(_ norm: [Int], _ shape: [Int], _ name: String) throws(NightjarError) -> [Int] {
        let b = try Shapes.broadcast(norm, shape, op: "LayerNormalization")
        guard b == norm else { throw .invalidArgument("LayerNormalization: \(name) of shape \(shape) does not broadcast to \(norm)") }
        return Shapes.broadcastIndices(from: shape, to: norm)
    }
}

/// `InstanceNormalization`: each channel of each image normalized over its spatial axes, then
/// scaled and shifted per channel.
struct InstanceNormalizationKernel: SingleOutputKernel {
    let epsilon: Double

    init(_ a: NodeAttributes) throws(NightjarError) {
        epsilon = Double(try a.float("epsilon", default: 1e-5))
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "InstanceNormalization")
        let x = try args.tensor(0), scale = try args.tensor(1), bias = try args.tensor(2)
        for t in [x, scale, bias] { try Shapes.check(t, op: "InstanceNormalization") }
        guard x.shape.count >= 3 else { throw .invalidArgument("InstanceNormalization: input \(x.shape) must be [N, C, spatial…]") }
        let channels = x.shape[1], size = try Shapes.count(Array(x.shape.dropFirst(2)), op: "InstanceNormalization")
        guard case .float(let xv) = x.data, case .float(let sv) = scale.data, case .float(let bv) = bias.data,
              sv.count == channels, bv.count == channels else {
            throw .invalidArgument("InstanceNormalization: input \(x.shape), scale \(scale.shape) and bias \(bias.shape) must be float with \(channels) channels")
        }
        var out = xv
        for plane in 0..<(try Shapes.count(Array(x.shape.prefix(2)), op: "InstanceNormalization")) where size > 0 {
            let c = plane % channels, base = plane * size
            var sum = 0.0
            for i in base..<(base + size) { sum += Double(xv[i]) }
            let mean = sum / Double(size)
            var variance = 0.0
            for i in base..<(base + size) { variance += (Double(xv[i]) - mean) * (Double(xv[i]) - mean) }
            let deviation = (variance / Double(size) + epsilon).squareRoot()
            for i in base..<(base + size) {
                out[i] = Float((Double(xv[i]) - mean) / deviation * Double(sv[c]) + Double(bv[c]))
            }
        }
        return .tensor(Tensor(shape: x.shape, data: .float(out)))
    }
}
