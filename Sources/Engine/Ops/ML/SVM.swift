import CEngineKernels
import Foundation
import NightjarCore

/// `ai.onnx.ml.SVMClassifier` and `SVMRegressor`: libsvm-style support vector machines (one-vs-one
/// votes over support vectors) and liblinear-style linear ones (coefficients only). The arithmetic
/// follows onnxruntime step by step — float kernels, double pair sums, its GEMM rounding — since
/// answers must match it.
struct SVMKernelFunction: Sendable {
    enum Kind: String { case linear = "LINEAR", poly = "POLY", rbf = "RBF", sigmoid = "SIGMOID" }

    var kind: Kind
    var gamma: Float = 0
    var coef0: Float = 0
    var degree: Float = 0

    init(_ a: NodeAttributes) throws(NightjarError) {
        let text = try a.string("kernel_type", default: "LINEAR")
        guard let k = Kind(rawValue: text) else {
            throw a.invalid("kernel_type", "= '\(text)' is not LINEAR, POLY, RBF or SIGMOID")
        }
        kind = k
        let p = a.floats("kernel_params")
        if p.count >= 3 { (gamma, coef0, degree) = (p[0], p[1], p[2]) }
    }

    /// `out[rows × count]`: the kernel between each input row and each of `count` vectors of length
    /// `features` (`transposed` holds them `[features, count]`, made once at load); `bias` is added
    /// for the linear kernel, as onnxruntime passes rho there. The buffer comes from `arena`.
    func apply(_ x: [Float], rows: Int, _ vectors: [Float], transposed vt: [Float], count: Int, features: Int, bias: Float,
               arena: inout TensorArena) -> [Float] {
        arena.floats(count: rows * count) { out in
            x.withUnsafeBufferPointer { xp in
                vt.withUnsafeBufferPointer { vp in
                    guard let xa = xp.baseAddress, let va = vp.baseAddress, let oa = out.baseAddress else { return }
                    if kind == .rbf {
                        if BlockedGemm.fusedMultiplyAdd {
                            nj_rbf_kernel(xa, rows, va, count, features, gamma, oa)
                        } else {
                            rbfPortable(x, rows: rows, vectors, count: count, features: features, into: out)
                        }
                        return
                    }
                    // x · vectorsᵀ through the GEMM kernel, with the same prefilled constant and scaling.
                    let alpha: Float = kind == .linear ? 1 : gamma
                    let c: Float = kind == .linear ? bias : coef0
                    if c != 0 { out.update(repeating: c) }
                    BlockedGemm.multiply(xa, va, oa, m: rows, n: count, k: features, alpha: alpha, accumulate: c != 0)
                    switch kind {
                    case .poly:
                        for i in out.indices {
                            let v = out[i]
                            out[i] = degree == 2 ? v * v : degree == 3 ? v * v * v : pow(v, degree)
                        }
                    case .sigmoid:
                        for i in out.indices { out[i] = tanh(out[i]) }
                    default:
                        break
                    }
                }
            }
        }
    }
}

extension SVMKernelFunction {
    /// An RBF kernel with this gamma, as a model's attributes would give it (for tests).
    init(rbfGamma: Float) {
        kind = .rbf
        gamma = rbfGamma
    }

    /// The RBF kernel eight support vectors at a time, the exponential vectorised too
    /// (`nj_rbf_kernel`, AVX2 + FMA): the portable loop's distances bit for bit, and `expf`'s values
    /// but for rare one-ulp differences. At batch 1000 `expf` called per value was most of the SVM's time.
    func rbfVectorised(_ x: [Float], rows: Int, _ vectors: [Float], count: Int, features: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * count)
        let vt = BlockedGemm.transposed(vectors[...], rows: count, columns: features)
        x.withUnsafeBufferPointer { xp in
            vt.withUnsafeBufferPointer { vp in
                out.withUnsafeMutableBufferPointer { op in
                    guard let xa = xp.baseAddress, let va = vp.baseAddress, let oa = op.baseAddress else { return }
                    nj_rbf_kernel(xa, rows, va, count, features, gamma, oa)
                }
            }
        }
        return out
    }

    /// The RBF kernel as onnxruntime writes it: the squared distance summed in float (a multiply,
    /// then an add), then `expf`.
    func rbfPortable(_ x: [Float], rows: Int, _ vectors: [Float], count: Int, features: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * count)
        out.withUnsafeMutableBufferPointer { rbfPortable(x, rows: rows, vectors, count: count, features: features, into: $0) }
        return out
    }

    private func rbfPortable(_ x: [Float], rows: Int, _ vectors: [Float], count: Int, features: Int,
                             into out: UnsafeMutableBufferPointer<Float>) {
        for r in 0..<rows {
            for v in 0..<count {
                var sum: Float = 0
                for f in 0..<features {
                    let d = x[r * features + f] - vectors[v * features + f]
                    sum += d * d
                }
                out[r * count + v] = exp(-gamma * sum)
            }
        }
    }
}

/// Reads the input as float rows, the type onnxruntime computes SVMs in.
private func svmInput(_ x: Tensor, features: Int, op: String) throws(NightjarError) -> (values: [Float], rows: Int) {
    try Shapes.check(x, op: op)
    let columns = x.shape.count == 1 ? x.shape[0] : (x.shape.count == 2 ? x.shape[1] : -1)
    guard columns == features else {
        throw .invalidArgument("\(op): input of shape \(x.shape) does not have \(features) features per row")
    }
    let values = try x.floatValues(op: op)
    return (values, x.shape.count == 1 ? 1 : x.shape[0])
}

struct SVMClassifierKernel: AppendingArenaKernel {
    let function: SVMKernelFunction
    /// The vectors the kernel function compares rows with (the support vectors, or a linear SVM's
    /// coefficients), transposed once here rather than on every run.
    let transposedVectors: [Float]
    let labels: ClassLabels
    let vectorsPerClass: [Int]
    let starts: [Int]
    let supportVectors: [Float]
    let coefficients: [Float]
    let rho: [Float]
    let probA: [Float]
    let probB: [Float]
    let transform: PostTransform
    let features: Int
    let vectorCount: Int
    let weightsAllPositive: Bool
    var svc: Bool { vectorCount > 0 }

    init(_ a: NodeAttributes) throws(NightjarError) {
        var fn = try SVMKernelFunction(a)
        labels = try ClassLabels(a, ints: "classlabels_ints", strings: "classlabels_strings")
        vectorsPerClass = a.ints("vectors_per_class").map { Int(clamping: $0) }
        supportVectors = a.floats("support_vectors")
        coefficients = a.floats("coefficients")
        rho = a.floats("rho")
        probA = a.floats("prob_a")
        probB = a.floats("prob_b")
        transform = try PostTransform(a)
        let classes = labels.count
        guard classes >= 2, classes <= 1 << 16 else { throw a.invalid("classlabels_ints", "must name 2 to 65536 classes, not \(classes)") }
        // Each class's vectors are among the support vectors, which bounds the counts before summing.
        let supportValues = supportVectors.count
        guard vectorsPerClass.allSatisfy({ $0 >= 0 && $0 <= supportValues }) else {
            throw a.invalid("vectors_per_class", "has a count that is negative or exceeds the support vectors")
        }
        vectorCount = vectorsPerClass.reduce(0, +)
        var s: [Int] = []
        var running = 0
        for v in vectorsPerClass {
            s.append(running)
            running += v
        }
        starts = s
        guard !coefficients.isEmpty else { throw a.missing("coefficients") }
        guard probA.count == probB.count else { throw a.invalid("prob_a", "and prob_b differ in length") }
        let pairs = classes * (classes - 1) / 2
        if vectorCount > 0 {
            guard vectorsPerClass.count == classes else {
                throw a.invalid("vectors_per_class", "has \(vectorsPerClass.count) entries for \(classes) classes")
            }
            guard supportVectors.count % vectorCount == 0, !supportVectors.isEmpty else {
                throw a.invalid("support_vectors", "has \(supportVectors.count) values, not a multiple of \(vectorCount) vectors")
            }
            features = supportVectors.count / vectorCount
            guard coefficients.count >= (classes - 1) * vectorCount else {
                throw a.invalid("coefficients", "has \(coefficients.count) values, fewer than \(classes - 1) × \(vectorCount)")
            }
            guard rho.count >= pairs else { throw a.invalid("rho", "has \(rho.count) values for \(pairs) class pairs") }
            guard probA.isEmpty || probA.count >= pairs else { throw a.invalid("prob_a", "has \(probA.count) values for \(pairs) class pairs") }
        } else {
            guard classes > 0, coefficients.count % classes == 0 else {
                throw a.invalid("coefficients", "has \(coefficients.count) values, not a multiple of \(classes) classes")
            }
            features = coefficients.count / classes
            guard !rho.isEmpty else { throw a.missing("rho") }
            fn.kind = .linear
        }
        guard classes >= 2 else { throw a.invalid("classlabels_ints", "must name at least two classes") }
        function = fn
        weightsAllPositive = coefficients.allSatisfy { $0 >= 0 }
        transposedVectors = vectorCount > 0
            ? BlockedGemm.transposed(supportVectors[...], rows: vectorCount, columns: features)
            : BlockedGemm.transposed(coefficients[...], rows: classes, columns: features)
    }

    func run(_ inputs: [Value?], arena: inout TensorArena, appendingTo outputs: inout [Value]) throws(NightjarError) {
        let (x, rows) = try svmInput(try KernelInputs(values: inputs, op: "SVMClassifier").tensor(0), features: features, op: "SVMClassifier")
        let classes = labels.count
        let pairs = classes * (classes - 1) / 2
        let haveProba = !probA.isEmpty
        let columns = svc && !haveProba ? (classes > 2 ? pairs : 2) : classes
        // Every buffer from the arena, the scratch handed back at the end: a warm run allocates none.
        var scores = arena.floats(count: rows * columns) { $0.update(repeating: 0) }
        var winners = arena.int64s(count: rows) { $0.update(repeating: 0) }

        if !svc {
            let raw = function.apply(x, rows: rows, coefficients, transposed: transposedVectors, count: classes, features: features,
                                     bias: rho[0], arena: &arena)
            for r in 0..<rows {
                var best = 0
                for c in 0..<classes where raw[r * classes + c] > raw[r * classes + best] { best = c }
                let top = raw[r * classes + best]
                if classes == 2 && ((weightsAllPositive && top >= 0.5) || (top > 0 && !weightsAllPositive)) { best = 1 }
                winners[r] = Int64(best)
                for c in 0..<classes { scores[r * classes + c] = raw[r * classes + c] }
                TreeScores.transform(transform, &scores, at: r * classes, count: classes)
            }
            arena.recycle(raw)
        } else {
            let kernels = function.apply(x, rows: rows, supportVectors, transposed: transposedVectors, count: vectorCount,
                                         features: features, bias: 0, arena: &arena)
            var decisions = arena.floats(count: pairs) { $0.update(repeating: 0) }
            var votes = arena.int64s(count: classes) { $0.update(repeating: 0) }
            var coupled = arena.floats(count: classes * classes) { $0.update(repeating: 0) }
            var probabilities = arena.floats(count: classes) { $0.update(repeating: 0) }
            var pairwise = arena.floats(count: classes * classes) { $0.update(repeating: 0) }
            var products = arena.floats(count: classes) { $0.update(repeating: 0) }
            let sums = pairSums(kernels, rows: rows, arena: &arena)
            for r in 0..<rows {
                for c in 0..<classes { votes[c] = 0 }
                var pair = 0
                for i in 0..<(classes - 1) {
                    for j in (i + 1)..<classes {
                        let sum = sums[r * pairs + pair]
                        decisions[pair] = Float(sum)
                        votes[sum > 0 ? i : j] += 1
                        pair += 1
                    }
                }
                var best = 0
                for c in 1..<classes where votes[c] > votes[best] { best = c }
                winners[r] = Int64(best)
                let o = r * columns
                if haveProba {
                    pairwiseProbabilities(decisions, &coupled, &probabilities, pairwise: &pairwise, products: &products)
                    for c in 0..<classes { scores[o + c] = probabilities[c] }
                    TreeScores.transform(transform, &scores, at: o, count: classes)
                } else if classes > 2 {
                    for p in 0..<pairs { scores[o + p] = decisions[p] }
                    TreeScores.transform(transform, &scores, at: o, count: pairs)
                } else {
                    // One decision widened to two columns, as onnxruntime writes it: margins as
                    // (−d, d); other transforms are not applied, only 1 − d beside d.
                    let d = decisions[0]
                    switch transform {
                    case .probit: scores[o] = PostTransform.probit(d)
                    case .none: (scores[o], scores[o + 1]) = (-d, d)
                    default: (scores[o], scores[o + 1]) = (1 - d, d)
                    }
                }
            }
            arena.recycle(kernels)
            arena.recycle(decisions)
            arena.recycle(coupled)
            arena.recycle(probabilities)
            arena.recycle(pairwise)
            arena.recycle(products)
            arena.recycle(votes)
            arena.recycle(sums)
        }
        labels.appendClassifierOutputs(winnerIndices: &winners, scores: scores, rows: rows, columns: columns, arena: &arena, to: &outputs)
    }

    /// `sums[rows × pairs]`: each row's one-vs-one decision values, before the vote. Products in
    /// float, their sum in double plus rho, in onnxruntime's order. Four rows at a time, one per
    /// lane: each row's additions form one dependent chain, so four chains overlap instead of
    /// waiting on each other, and every lane still adds its own row's terms in order (the same
    /// bits). The rows of a last partial group repeat the last row and are not stored.
    private func pairSums(_ kernels: [Float], rows: Int, arena: inout TensorArena) -> [Double] {
        let classes = labels.count, count = vectorCount
        let pairs = classes * (classes - 1) / 2
        return kernels.withUnsafeBufferPointer { k in
            coefficients.withUnsafeBufferPointer { coef in
                arena.doubles(count: rows * pairs) { out in
                    var r = 0
                    while r < rows {
                        let b0 = r * count, b1 = min(r + 1, rows - 1) * count
                        let b2 = min(r + 2, rows - 1) * count, b3 = min(r + 3, rows - 1) * count
                        var pair = 0
                        for i in 0..<(classes - 1) {
                            for j in (i + 1)..<classes {
                                var sum = SIMD4<Double>(repeating: 0)
                                // Class i's vectors with their coefficients for j, then j's for i
                                // (not a two-element array literal: that is an allocation per pair).
                                for side in 0..<2 {
                                    let (c, first) = side == 0 ? ((j - 1) * count, i) : (i * count, j)
                                    for v in starts[first]..<(starts[first] + vectorsPerClass[first]) {
                                        let kv = SIMD4<Float>(k[b0 + v], k[b1 + v], k[b2 + v], k[b3 + v])
                                        sum += SIMD4<Double>(kv * coef[c + v])
                                    }
                                }
                                sum += Double(rho[pair])
                                for lane in 0..<min(4, rows - r) { out[(r + lane) * pairs + pair] = sum[lane] }
                                pair += 1
                            }
                        }
                        r += 4
                    }
                }
            }
        }
    }

    /// Platt-scaled pairwise probabilities coupled into class probabilities (Wu, Lin and Weng's
    /// method, as libsvm and onnxruntime iterate it, in float).
    /// `r` and `qp` are scratch of k × k and k floats.
    private func pairwiseProbabilities(_ decisions: [Float], _ q: inout [Float], _ p: inout [Float],
                                       pairwise r: inout [Float], products qp: inout [Float]) {
        let k = labels.count
        for i in 0..<(k * k) { r[i] = 0 }
        var index = 0
        for i in 0..<(k - 1) {
            for j in (i + 1)..<k {
                let v = 1 - TreeScores.logistic(decisions[index] * probA[index] + probB[index])
                let clipped = Swift.min(Swift.max(v, 1e-7), 1 - 1e-7)
                r[i * k + j] = clipped
                r[j * k + i] = 1 - clipped
                index += 1
            }
        }
        for i in 0..<(k * k) { q[i] = 0 }
        for i in 0..<k { qp[i] = 0 }
        let eps = 0.005 / Float(k)
        for i in 0..<k {
            p[i] = 1 / Float(k)
            for j in 0..<i {
                q[i * k + i] += r[j * k + i] * r[j * k + i]
                q[i * k + j] = q[j * k + i]
            }
            for j in (i + 1)..<k {
                q[i * k + i] += r[j * k + i] * r[j * k + i]
                q[i * k + j] = -r[j * k + i] * r[i * k + j]
            }
        }
        for _ in 0..<100 {
            var pqp: Float = 0
            for i in 0..<k {
                qp[i] = 0
                for j in 0..<k { qp[i] += q[i * k + j] * p[j] }
                pqp += p[i] * qp[i]
            }
            var maxError: Float = 0
            for i in 0..<k { maxError = Swift.max(maxError, abs(qp[i] - pqp)) }
            if maxError < eps { break }
            for i in 0..<k {
                let diff = (-qp[i] + pqp) / q[i * k + i]
                p[i] += diff
                pqp = (pqp + diff * (diff * q[i * k + i] + 2 * qp[i])) / (1 + diff) / (1 + diff)
                for j in 0..<k {
                    qp[j] = (qp[j] + diff * q[i * k + j]) / (1 + diff)
                    p[j] /= (1 + diff)
                }
            }
        }
    }
}

struct SVMRegressorKernel: SingleOutputArenaKernel {
    let function: SVMKernelFunction
    let supportVectors: [Float]
    let coefficients: [Float]
    /// The support vectors (or a linear SVM's coefficients) transposed, and the coefficients the
    /// kernel values are weighted by: both made once here rather than on every run.
    let transposedVectors: [Float]
    let vectorCoefficients: [Float]
    let rho: Float
    let vectorCount: Int
    let features: Int
    let oneClass: Bool

    init(_ a: NodeAttributes) throws(NightjarError) {
        var fn = try SVMKernelFunction(a)
        vectorCount = try a.int("n_supports", default: 0)
        supportVectors = a.floats("support_vectors")
        coefficients = a.floats("coefficients")
        guard let r = a.floats("rho").first else { throw a.missing("rho") }
        rho = r
        oneClass = try a.int("one_class", default: 0) != 0
        guard !coefficients.isEmpty else { throw a.missing("coefficients") }
        guard vectorCount >= 0 else { throw a.invalid("n_supports", "is negative") }
        if vectorCount > 0 {
            guard supportVectors.count % vectorCount == 0, !supportVectors.isEmpty, coefficients.count >= vectorCount else {
                throw a.invalid("support_vectors", "has \(supportVectors.count) values and coefficients \(coefficients.count) for \(vectorCount) vectors")
            }
            features = supportVectors.count / vectorCount
        } else {
            features = coefficients.count
            fn.kind = .linear
        }
        function = fn
        transposedVectors = vectorCount > 0
            ? BlockedGemm.transposed(supportVectors[...], rows: vectorCount, columns: features)
            : BlockedGemm.transposed(coefficients[...], rows: 1, columns: features)
        vectorCoefficients = Array(coefficients.prefix(vectorCount))
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let (x, rows) = try svmInput(try KernelInputs(values: inputs, op: "SVMRegressor").tensor(0), features: features, op: "SVMRegressor")
        var out: [Float]
        if vectorCount > 0 {
            let kernels = function.apply(x, rows: rows, supportVectors, transposed: transposedVectors, count: vectorCount,
                                         features: features, bias: 0, arena: &arena)
            // kernels · coefficients + rho, through the GEMM kernel as onnxruntime does.
            out = kernels.withUnsafeBufferPointer { kp in
                vectorCoefficients.withUnsafeBufferPointer { cp in
                    arena.floats(count: rows) { op in
                        op.update(repeating: rho)
                        guard let ka = kp.baseAddress, let ca = cp.baseAddress, let oa = op.baseAddress else { return }
                        BlockedGemm.multiply(ka, ca, oa, m: rows, n: 1, k: vectorCount, accumulate: rho != 0)
                    }
                }
            }
            arena.recycle(kernels)
        } else {
            out = function.apply(x, rows: rows, coefficients, transposed: transposedVectors, count: 1, features: features,
                                 bias: rho, arena: &arena)
        }
        if oneClass { for i in out.indices { out[i] = out[i] > 0 ? 1 : -1 } }
        return .tensor(Tensor(shape: arena.shape(rank: 2) { $0 == 0 ? rows : 1 }, data: .float(out)))
    }
}
