import Foundation
import NightjarCore

/// `Softmax` and `LogSoftmax`. From opset 13 they normalize along one axis (default -1); before,
/// the input was seen as a matrix split at `axis` (default 1) and each row normalized as a whole.
struct SoftmaxKernel: Kernel {
    /// Outputs are new arrays (a written copy of the input), never the input passed through.
    var writesFreshOutputs: Bool { true }

    let axis: Int
    let wholeRows: Bool
    let log: Bool
    var op: String { log ? "LogSoftmax" : "Softmax" }

    init(_ attributes: NodeAttributes, opset: Int, log: Bool) throws(NightjarError) {
        wholeRows = opset < 13
        axis = try attributes.int("axis", default: wholeRows ? 1 : -1)
        self.log = log
    }

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
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
        case .float(let v): return [.tensor(Tensor(shape: x.shape, data: .float(normalize(v, outer, n, inner))))]
        case .double(let v): return [.tensor(Tensor(shape: x.shape, data: .double(normalize(v, outer, n, inner))))]
        default: throw .invalidArgument("\(op): element type \(x.dataType.rawValue) is not supported")
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
