import CEngineKernels
import Foundation
import NightjarCore

/// `Softmax` and `LogSoftmax`. From opset 13 they normalize along one axis (default -1); before,
/// the input was seen as a matrix split at `axis` (default 1) and each row normalized as a whole.
struct SoftmaxKernel: SingleOutputArenaKernel {
    let axis: Int
    let wholeRows: Bool
    let log: Bool
    var op: String { log ? "LogSoftmax" : "Softmax" }

    init(_ attributes: NodeAttributes, opset: Int, log: Bool) throws(NightjarError) {
        wholeRows = opset < 13
        axis = try attributes.int("axis", default: wholeRows ? 1 : -1)
        self.log = log
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: op).tensor(0)
        try Shapes.check(x, op: op)
        let rank = x.shape.count
        let a = try Shapes.axis(axis, rank: rank, op: op)
        let outer: Int, n: Int, inner: Int
        if rank == 0 {
            (outer, n, inner) = (1, 1, 1)
        } else if wholeRows {
            (outer, n, inner) = (x.shape[..<a].reduce(1, *), x.shape[a...].reduce(1, *), 1)
        } else {
            (outer, n, inner) = (x.shape[..<a].reduce(1, *), x.shape[a], x.shape[(a + 1)...].reduce(1, *))
        }
        switch x.data {
        case .float(let v) where inner == 1 && !log && !v.isEmpty:
            return .tensor(Tensor(shape: x.shape, data: .float(Self.lastAxis(v, rows: outer, n, arena: &arena))))
        case .float(let v): return .tensor(Tensor(shape: x.shape, data: .float(normalize(v, outer, n, inner))))
        case .double(let v): return .tensor(Tensor(shape: x.shape, data: .double(normalize(v, outer, n, inner))))
        default: throw .invalidArgument("\(op): element type \(x.dataType.rawValue) is not supported")
        }
    }

    /// Softmax over contiguous rows (the last axis, the common case) into an arena buffer. On a CPU
    /// with AVX2 and FMA the exponentials run eight lanes at a time (`nj_softmax_rows_fma`: libm's
    /// `expf` per element was most of a classifier's or an attention block's Softmax); elsewhere
    /// the same operations in the same order as `normalize`, over pointers.
    static func lastAxis(_ v: [Float], rows: Int, _ n: Int, arena: inout TensorArena) -> [Float] {
        v.withUnsafeBufferPointer { vp in
            arena.floats(count: v.count) { op in
                guard let x = vp.baseAddress, let o = op.baseAddress else { return }
                if BlockedGemm.fusedMultiplyAdd {
                    nj_softmax_rows_fma(x, o, rows, n)
                    return
                }
                for r in 0..<rows {
                    let src = x + r * n, dst = o + r * n
                    var m = -Float.infinity
                    for k in 0..<n where src[k] > m { m = src[k] }
                    var sum: Float = 0
                    for k in 0..<n {
                        let e = Float.exp(src[k] - m)
                        dst[k] = e
                        sum += e
                    }
                    for k in 0..<n { dst[k] /= sum }
                }
            }
        }
    }

    private func normalize<T: BinaryFloatingPoint & ElementaryFunctions>(_ v: [T], _ outer: Int, _ n: Int, _ inner: Int) -> [T] {
        var out = v
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * n * inner + i
                var m = -T.infinity
                for k in 0..<n where v[base + k * inner] > m { m = v[base + k * inner] }
                var sum: T = 0
                for k in 0..<n {
                    let e = T.exp(v[base + k * inner] - m)
                    out[base + k * inner] = e
                    sum += e
                }
                if log {
                    let l = T.log(sum)
                    for k in 0..<n { out[base + k * inner] = v[base + k * inner] - m - l }
                } else {
                    for k in 0..<n { out[base + k * inner] /= sum }
                }
            }
        }
        return out
    }
}
