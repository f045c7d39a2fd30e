import CEngineKernels
import NightjarCore

/// Matrix products: `MatMul` (numpy semantics, batched and broadcast) and `Gemm`
/// (`alpha · A' · B' + beta · C`), both on one cache-blocked kernel.
enum BlockedGemm {
    /// Columns of B kept hot while rows of A stream past.
    static let nc = 512

    /// onnxruntime's MLAS kernels sum each output along k in order with fused multiply-adds, in
    /// chunks of k that are then added to C; the chunk length starts at 128 and trades against
    /// the column block as MLAS sizes them. Rounding the same way is what keeps results within
    /// 1e-5 of it where sums cancel (outputs near zero of a large regression, say).
    static func chunk(n: Int, k: Int) -> Int {
        // An empty k (a [2, 0] × [0, 3] MatMul) would halve the stride forever.
        guard k > 0 else { return 1 }
        var strideN = 128, strideK = 128
        if n >= k {
            while strideK / 2 >= k {
                strideN *= 2
                strideK /= 2
            }
        } else {
            while strideN > 16 && strideN / 2 >= n {
                strideK *= 2
                strideN /= 2
            }
        }
        return max(strideK, 1)
    }

    /// Whether this CPU runs the AVX2 + FMA kernel; asked once.
    static let fusedMultiplyAdd = nj_cpu_has_avx2_fma() != 0

    /// `c[m×n] = alpha · a[m×k] · b[k×n]`, or `c += …` when `accumulate`; all row-major and contiguous.
    /// On a CPU with AVX2 and FMA this runs the C kernel, which computes the same FMA chains in
    /// hardware and gives the same bits; elsewhere the portable kernel below.
    static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, alpha: Float = 1, accumulate: Bool = false
    ) {
        if fusedMultiplyAdd {
            nj_sgemm_fma(a, b, c, m, n, k, chunk(n: n, k: k), alpha, accumulate ? 1 : 0)
        } else {
            multiplyPortable(a, b, c, m: m, n: n, k: k, alpha: alpha, accumulate: accumulate)
        }
    }

    /// `multiply`, then `c[i, j] += bias[j]` (with a bias) and Relu (with `relu`): a fused layer's
    /// epilogue, with the bits of the product followed by the separate Add and Relu. The FMA kernel
    /// applies it as it stores each tile; elsewhere it is one pass after the product.
    static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, alpha: Float = 1, accumulate: Bool = false, bias: UnsafePointer<Float>?, relu: Bool
    ) {
        if fusedMultiplyAdd {
            nj_sgemm_fma_bias_relu(a, b, c, m, n, k, chunk(n: n, k: k), alpha, accumulate ? 1 : 0, bias, relu ? 1 : 0)
        } else {
            multiplyPortable(a, b, c, m: m, n: n, k: k, alpha: alpha, accumulate: accumulate)
            if bias != nil || relu { nj_add_bias_relu(c, m, n, bias, 0, relu ? 1 : 0) }
        }
    }

    /// The kernel for any x86-64 or other CPU. The innermost loop runs along a row of B and of C
    /// and vectorizes; blocking keeps that slice of B in cache across all rows of A.
    static func multiplyPortable(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, alpha: Float = 1, accumulate: Bool = false
    ) {
        // A float FMA is exact in double: the product of two floats fits a double's 53 bits, and
        // the sum rounds twice only in vanishingly rare halfway cases. Unlike Float.addingProduct,
        // which without FMA in the target's baseline becomes a libm call per element, this vectorizes.
        var scratch = [Float](repeating: 0, count: min(nc, n))
        let alphaD = Double(alpha)
        let kc = chunk(n: n, k: k)
        scratch.withUnsafeMutableBufferPointer { sp in
            guard let acc = sp.baseAddress else { return }
            var j0 = 0
            while j0 < n {
                let j1 = min(j0 + nc, n)
                let width = j1 - j0
                var p0 = 0
                while p0 < k || (p0 == 0 && !accumulate) {
                    let p1 = min(p0 + kc, k)
                    for i in 0..<m {
                        let arow = a + i * k
                        for j in 0..<width { acc[j] = 0 }
                        for p in p0..<p1 {
                            let x = Double(arow[p])
                            let brow = b + p * n + j0
                            // Eight lanes at a time, spelled out: the scalar loop does not vectorize.
                            let xv = SIMD8<Double>(repeating: x)
                            var j = 0
                            while j + 8 <= width {
                                let bv = UnsafeRawPointer(brow + j).loadUnaligned(as: SIMD8<Float>.self)
                                let av = UnsafeRawPointer(acc + j).loadUnaligned(as: SIMD8<Float>.self)
                                let r = xv * SIMD8<Double>(bv) + SIMD8<Double>(av)
                                UnsafeMutableRawPointer(acc + j).storeBytes(of: SIMD8<Float>(r), as: SIMD8<Float>.self)
                                j += 8
                            }
                            while j < width {
                                acc[j] = Float(x * Double(brow[j]) + Double(acc[j]))
                                j += 1
                            }
                        }
                        // Like MLAS: the first chunk overwrites C unless accumulating; later chunks
                        // and accumulation add `alpha · chunk` to C in one rounding.
                        let crow = c + i * n + j0
                        if p0 == 0 && !accumulate {
                            if alpha == 1 {
                                for j in 0..<width { crow[j] = acc[j] }
                            } else {
                                for j in 0..<width { crow[j] = acc[j] * alpha }
                            }
                        } else {
                            for j in 0..<width { crow[j] = Float(Double(acc[j]) * alphaD + Double(crow[j])) }
                        }
                    }
                    p0 = max(p1, p0 + 1)
                }
                j0 = j1
            }
        }
    }

    /// The same for doubles, with true fused multiply-adds and no chunking.
    static func multiply(
        _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>,
        m: Int, n: Int, k: Int, alpha: Double = 1, accumulate: Bool = false
    ) {
        var row = [Double](repeating: 0, count: n)
        for i in 0..<m {
            let crow = c + i * n
            for j in 0..<n { row[j] = 0 }
            for p in 0..<k {
                let x = a[i * k + p]
                let brow = b + p * n
                for j in 0..<n { row[j].addProduct(x, brow[j]) }
            }
            for j in 0..<n { crow[j] = accumulate ? crow[j] + alpha * row[j] : alpha * row[j] }
        }
    }

    /// A row-major copy of the transpose of `rows × columns` matrix `x`.
    static func transposed<T>(_ x: ArraySlice<T>, rows: Int, columns: Int) -> [T] {
        guard let first = x.first else { return [] }
        var out = [T](repeating: first, count: rows * columns)
        let base = x.startIndex
        for r in 0..<rows {
            for c in 0..<columns { out[c * rows + r] = x[base + r * columns + c] }
        }
        return out
    }
}

/// `MatMul` on float or double: 1-D operands are promoted as numpy does, batch dimensions broadcast.
struct MatMulKernel: SingleOutputArenaKernel {
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "MatMul")
        let a = try args.tensor(0), b = try args.tensor(1)
        try Shapes.check(a, op: "MatMul")
        try Shapes.check(b, op: "MatMul")
        switch (a.data, b.data) {
        case (.float(let x), .float(let y)):
            let (shape, out) = try Self.matmul(x, a.shape, y, b.shape, arena: &arena) { arena, count, body in arena.floats(count: count, body) }
            return .tensor(Tensor(shape: shape, data: .float(out)))
        case (.double(let x), .double(let y)):
            let (shape, out) = try Self.matmul(x, a.shape, y, b.shape, arena: &arena) { _, count, body in freshBuffer(count, body) }
            return .tensor(Tensor(shape: shape, data: .double(out)))
        default:
            throw .invalidArgument("MatMul: element types \(a.dataType.rawValue) and \(b.dataType.rawValue) are not supported together")
        }
    }

    /// `output(arena, count, write)` provides the result buffer: from the arena for floats. The
    /// shape comes from `arena` too, and equal batch dimensions (a transformer's heads, or none)
    /// are walked without index tables: a warm run makes no array here.
    static func matmul<T: GemmElement>(
        _ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int], arena: inout TensorArena,
        output: (inout TensorArena, Int, (UnsafeMutableBufferPointer<T>) -> Void) -> [T]
    ) throws(NightjarError) -> ([Int], [T]) {
        guard !xs.isEmpty, !ys.isEmpty else { throw .invalidArgument("MatMul: scalars are not matrices") }
        // A vector on the left is one row, on the right one column.
        let m = xs.count == 1 ? 1 : xs[xs.count - 2], k = xs[xs.count - 1]
        let k2 = ys.count == 1 ? ys[0] : ys[ys.count - 2], n = ys.count == 1 ? 1 : ys[ys.count - 1]
        guard k == k2 else { throw .invalidArgument("MatMul: shapes \(xs) and \(ys) do not multiply (\(k) ≠ \(k2))") }
        let aBatch = xs.dropLast(2), bBatch = ys.dropLast(2)
        let equalBatches = aBatch.elementsEqual(bBatch)
        // Constants, not variables: `batchDim` captures them, and a captured variable would be
        // boxed on the heap every run.
        let batch = equalBatches ? [] : try Shapes.broadcast(Array(aBatch), Array(bBatch), op: "MatMul")
        let ia = equalBatches ? [] : Shapes.broadcastIndices(from: Array(aBatch), to: batch)
        let ib = equalBatches ? [] : Shapes.broadcastIndices(from: Array(bBatch), to: batch)
        let batchRank = equalBatches ? aBatch.count : batch.count
        func batchDim(_ i: Int) -> Int { equalBatches ? aBatch[aBatch.startIndex + i] : batch[i] }
        // Equal batches are part of a checked operand's shape, so their product cannot overflow.
        var batches = 1
        if equalBatches {
            for i in 0..<batchRank { batches *= batchDim(i) }
        } else {
            batches = try Shapes.count(batch, op: "MatMul")
        }
        let (mn, overflowMN) = m.multipliedReportingOverflow(by: n)
        let (total, overflow) = batches.multipliedReportingOverflow(by: mn)
        guard !overflowMN, !overflow, total <= 1 << 32 else { throw .invalidArgument("MatMul: shapes \(xs) and \(ys) give too large a product") }
        let count = total
        let out = x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                output(&arena, count) { op in
                    guard let xa = xp.baseAddress, let yb = yp.baseAddress, let oc = op.baseAddress else {
                        // No operand elements (k = 0): the product of empty rows is zero.
                        for i in op.indices { op[i] = 0 }
                        return
                    }
                    for t in 0..<batches {
                        let (ta, tb) = equalBatches ? (t, t) : (ia[t], ib[t])
                        T.multiply(xa + ta * m * k, yb + tb * k * n, oc + t * m * n, m: m, n: n, k: k, alpha: 1, accumulate: false)
                    }
                }
            }
        }
        let rank = batchRank + (xs.count > 1 ? 1 : 0) + (ys.count > 1 ? 1 : 0)
        let shape = arena.shape(rank: rank) { i in i < batchRank ? batchDim(i) : (i == batchRank && xs.count > 1 ? m : n) }
        return (shape, out)
    }
}

/// A new zeroed buffer of `count` elements written by `body`: the output of kernels on element
/// types the arena does not keep.
func freshBuffer<T: Numeric>(_ count: Int, _ body: (UnsafeMutableBufferPointer<T>) -> Void) -> [T] {
    var out = [T](repeating: 0, count: count)
    out.withUnsafeMutableBufferPointer { body($0) }
    return out
}

/// `Gemm`: `Y = alpha · A' · B' + beta · C`, with `C` broadcast to `[M, N]`; with `relu` (merged
/// at load from a following `Relu` node, `GraphFusion`) Relu is applied to Y in the same kernel.
struct GemmKernel: SingleOutputArenaKernel {
    let alpha: Float
    let beta: Float
    let transA: Bool
    private(set) var transB: Bool
    var relu = false

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        alpha = try attributes.float("alpha", default: 1)
        beta = try attributes.float("beta", default: 1)
        transA = try attributes.int("transA", default: 0) != 0
        transB = try attributes.int("transB", default: 0) != 0
    }

    /// This Gemm over B already transposed (`GemmWeightLayout`).
    func readingBAsIs() -> GemmKernel {
        var plain = self
        plain.transB = false
        return plain
    }

    /// This Gemm followed by Relu.
    func withRelu() -> GemmKernel {
        var fused = self
        fused.relu = true
        return fused
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "Gemm")
        let a = try args.tensor(0), b = try args.tensor(1)
        let c: Tensor? = inputs.count > 2 && inputs[2] != nil ? try args.tensor(2) : nil
        try Shapes.check(a, op: "Gemm")
        try Shapes.check(b, op: "Gemm")
        if let c { try Shapes.check(c, op: "Gemm") }
        guard a.shape.count == 2, b.shape.count == 2 else {
            throw .invalidArgument("Gemm: A and B must be matrices, got shapes \(a.shape) and \(b.shape)")
        }
        func floats(_ count: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
            arena.floats(count: count) { out in
                body(out)
                if relu, let base = out.baseAddress { nj_add_bias_relu(base, 1, out.count, nil, 0, 1) }
            }
        }
        func doubles(_ count: Int, _ body: (UnsafeMutableBufferPointer<Double>) -> Void) -> [Double] {
            freshBuffer(count) { (out: UnsafeMutableBufferPointer<Double>) in
                body(out)
                if relu { for i in out.indices where out[i] <= 0 { out[i] = 0 } }
            }
        }
        switch (a.data, b.data, c?.data) {
        case (.float(let x), .float(let y), .none):
            let ((m, n), out) = try gemm(x, a.shape, y, b.shape, nil, [], output: floats)
            return .tensor(Tensor(shape: arena.shape(rank: 2) { $0 == 0 ? m : n }, data: .float(out)))
        case (.float(let x), .float(let y), .some(.float(let z))):
            let ((m, n), out) = try gemm(x, a.shape, y, b.shape, z, c?.shape ?? [], output: floats)
            return .tensor(Tensor(shape: arena.shape(rank: 2) { $0 == 0 ? m : n }, data: .float(out)))
        case (.double(let x), .double(let y), .none):
            let ((m, n), out) = try gemm(x, a.shape, y, b.shape, nil, [], output: doubles)
            return .tensor(Tensor(shape: arena.shape(rank: 2) { $0 == 0 ? m : n }, data: .double(out)))
        case (.double(let x), .double(let y), .some(.double(let z))):
            let ((m, n), out) = try gemm(x, a.shape, y, b.shape, z, c?.shape ?? [], output: doubles)
            return .tensor(Tensor(shape: arena.shape(rank: 2) { $0 == 0 ? m : n }, data: .double(out)))
        default:
            throw .invalidArgument("Gemm: element types \(a.dataType.rawValue), \(b.dataType.rawValue) are not supported together")
        }
    }

    private func gemm<T: GemmElement>(
        _ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int], _ z: [T]?, _ zs: [Int],
        output: (Int, (UnsafeMutableBufferPointer<T>) -> Void) -> [T]
    ) throws(NightjarError) -> ((m: Int, n: Int), [T]) {
        let (m, k) = transA ? (xs[1], xs[0]) : (xs[0], xs[1])
        let (k2, n) = transB ? (ys[1], ys[0]) : (ys[0], ys[1])
        guard k == k2 else { throw .invalidArgument("Gemm: inner dimensions differ (\(k) ≠ \(k2)) for shapes \(xs), \(ys)") }
        let a = transA ? BlockedGemm.transposed(x[...], rows: xs[0], columns: xs[1]) : x
        let b = transB ? BlockedGemm.transposed(y[...], rows: ys[0], columns: ys[1]) : y
        // As onnxruntime: Y starts as beta · C, then the product is added to it.
        let accumulate = z != nil && beta != 0
        var iz: [Int] = []
        // Compared element by element: array literals to compare with are allocations per run.
        let biasRow = (zs.count == 1 && zs[0] == n) || (zs.count == 2 && zs[0] == 1 && zs[1] == n)
        let fullC = zs.count == 2 && zs[0] == m && zs[1] == n
        if z != nil, accumulate, !biasRow, !fullC {
            let shape = try Shapes.broadcast([m, n], zs, op: "Gemm")
            guard shape == [m, n] else { throw .invalidArgument("Gemm: C of shape \(zs) does not broadcast to [\(m), \(n)]") }
            // A bias row or a full C is read in place; other broadcasts through an index table.
            iz = Shapes.broadcastIndices(from: zs, to: [m, n])
        }
        // C was checked against its shape, so a bias row holds n values and a full C m × n.
        let be = T(beta)
        let out = a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                output(m * n) { op in
                    if let z, accumulate {
                        for i in 0..<(m * n) {
                            let c = iz.isEmpty ? z[biasRow ? i % n : i] : z[iz[i]]
                            op[i] = be == 1 ? c : be * c
                        }
                    }
                    guard let aa = ap.baseAddress, let bb = bp.baseAddress, let oo = op.baseAddress else {
                        if !accumulate { for i in op.indices { op[i] = 0 } }
                        return
                    }
                    T.multiply(aa, bb, oo, m: m, n: n, k: k, alpha: T(alpha), accumulate: accumulate)
                }
            }
        }
        return ((m, n), out)
    }
}

/// The element types the GEMM kernel multiplies.
protocol GemmElement: BinaryFloatingPoint {
    static func multiply(_ a: UnsafePointer<Self>, _ b: UnsafePointer<Self>, _ c: UnsafeMutablePointer<Self>, m: Int, n: Int, k: Int, alpha: Self, accumulate: Bool)
}

extension Float: GemmElement {
    static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, alpha: Float, accumulate: Bool) {
        BlockedGemm.multiply(a, b, c, m: m, n: n, k: k, alpha: alpha, accumulate: accumulate)
    }
}

extension Double: GemmElement {
    static func multiply(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>, m: Int, n: Int, k: Int, alpha: Double, accumulate: Bool) {
        BlockedGemm.multiply(a, b, c, m: m, n: n, k: k, alpha: alpha, accumulate: accumulate)
    }
}
