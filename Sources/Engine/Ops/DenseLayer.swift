import NightjarCore

/// A linear layer merged at load (`GraphFusion`): `MatMul(X, W)` then `Add` of a bias row, then
/// `Relu` when the graph has one. The product goes straight into the output buffer and the bias and
/// Relu are applied as the GEMM stores it, instead of three nodes each writing a fresh tensor. The
/// product is the same GEMM as MatMul's and the bias is one float addition after it, so the output
/// keeps the separate nodes' bits. Inputs: X, W, bias.
struct DenseLayerKernel: SingleOutputArenaKernel {
    let relu: Bool
    /// Whether the graph's Add reads the bias first (`Add(B, Y)`); matters only to the fallback.
    let biasFirst: Bool
    /// The merged nodes' own kernels (MatMul, Add, then Relu when merged), for any input the fast
    /// path does not take.
    let fallback: [any Kernel]

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        if inputs.count == 3, case .tensor(let x)? = inputs[0], case .tensor(let w)? = inputs[1], case .tensor(let b)? = inputs[2],
           case .float(let xv) = x.data, case .float(let wv) = w.data, case .float(let bv) = b.data,
           x.shape.count >= 2, w.shape.count == 2, b.shape.count <= x.shape.count,
           let k = x.shape.last, k == w.shape[0], bv.count == w.shape[1] {
            let n = w.shape[1]
            let m = x.shape.dropLast().reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
            let (count, overflow) = m.multipliedReportingOverflow(by: n)
            if m > 0, n > 0, k > 0, !overflow, xv.count == m * k, wv.count == k * n {
                let out = arena.floats(count: count) { o in
                    xv.withUnsafeBufferPointer { xp in
                        wv.withUnsafeBufferPointer { wp in
                            bv.withUnsafeBufferPointer { bp in
                                guard let xa = xp.baseAddress, let wa = wp.baseAddress, let oa = o.baseAddress else { return }
                                BlockedGemm.multiply(xa, wa, oa, m: m, n: n, k: k, bias: bp.baseAddress, relu: relu)
                            }
                        }
                    }
                }
                let shape = arena.shape(rank: x.shape.count) { $0 == x.shape.count - 1 ? n : x.shape[$0] }
                return .tensor(Tensor(shape: shape, data: .float(out)))
            }
        }
        // Anything else (doubles, a 1-D X, shapes that do not fit): the nodes one after another.
        guard inputs.count == 3, fallback.count == (relu ? 3 : 2) else {
            throw .invalidArgument("MatMul: the merged layer expects X, W and a bias")
        }
        var value = try Self.single(fallback[0].run([inputs[0], inputs[1]], arena: &arena))
        value = try Self.single(fallback[1].run(biasFirst ? [inputs[2], value] : [value, inputs[2]], arena: &arena))
        if relu { value = try Self.single(fallback[2].run([value], arena: &arena)) }
        return value
    }

    private static func single(_ values: [Value]) throws(NightjarError) -> Value {
        guard let first = values.first else { throw .corrupt("a merged layer's node produced no output") }
        return first
    }
}
