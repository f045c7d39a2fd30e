import CEngineKernels
import Foundation
import NightjarCore

/// The score transforms shared by the ai.onnx.ml linear and tree operators.
enum PostTransform: String {
    case none = "NONE"
    case softmax = "SOFTMAX"
    case logistic = "LOGISTIC"
    case softmaxZero = "SOFTMAX_ZERO"
    case probit = "PROBIT"

    init(_ attributes: NodeAttributes) throws(NightjarError) {
        let text = try attributes.string("post_transform", default: "NONE")
        guard let t = PostTransform(rawValue: text) else {
            throw attributes.invalid("post_transform", "= '\(text)' is not NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO or PROBIT")
        }
        self = t
    }

    /// Whether the transform mixes a row's scores (the softmaxes); the others act on each score alone.
    var isRowwise: Bool { self == .softmax || self == .softmaxZero }

    /// Applies the transform to one row of scores in place. Not generic over the row's collection:
    /// left unspecialized across files, the generic loops allocated their index walks (7
    /// allocations per score of a multiclass logistic regression's softmax).
    func apply(_ row: inout UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .none:
            return
        case .logistic:
            for i in row.indices { row[i] = Self.sigmoid(row[i]) }
        case .softmax:
            guard let m = row.max() else { return }
            var sum: Float = 0
            for i in row.indices {
                row[i] = exp(row[i] - m)
                sum += row[i]
            }
            for i in row.indices { row[i] /= sum }
        case .softmaxZero:
            // Like softmax, but entries that are exactly zero stay zero.
            guard let m = row.max() else { return }
            var sum: Float = 0
            for i in row.indices {
                row[i] = row[i] == 0 ? 0 : exp(row[i] - m)
                sum += row[i]
            }
            if sum > 0 { for i in row.indices { row[i] /= sum } }
        case .probit:
            for i in row.indices { row[i] = Self.probit(row[i]) }
        }
    }

    /// Applies an element by element transform (not a softmax) to a whole batch of scores. The
    /// logistic runs eight lanes at a time on a CPU with AVX2 and FMA (`nj_logistic_fma`), with a
    /// polynomial exp within a few ulp of libm's: a call to `expf` per score was a third of a
    /// batch-1000 logistic regression. Every count takes it (a short tail goes through the same
    /// lanes), so a score's value does not depend on the batch it came in.
    func applyToBatch(_ scores: UnsafeMutableBufferPointer<Float>) {
        if self == .logistic && BlockedGemm.fusedMultiplyAdd, let base = scores.baseAddress {
            nj_logistic_fma(base, scores.count)
            return
        }
        var all = scores
        apply(&all)
    }

    /// `1 / (1 + e^-x)` for x ≥ 0 and `e^x / (1 + e^x)` below, the same values as evaluating each
    /// branch, but with one exp computed before the choice: the sign of a score is data, and a
    /// branch on it mispredicted on every other score.
    static func sigmoid(_ x: Float) -> Float {
        let e = exp(-abs(x))
        let d = 1 + e
        return x >= 0 ? 1 / d : e / d
    }

    /// The inverse of the standard normal CDF as onnxruntime computes it: √2 · erfinv(2x − 1), with
    /// Winitzki's approximation of erfinv in float and no refinement. It is off from the exact value
    /// in the third digit, but answers must match the reference runtime, not the textbook.
    static func probit(_ x: Float) -> Float {
        Float(2).squareRoot() * erfInverse(2 * x - 1)
    }

    static func erfInverse(_ y: Float) -> Float {
        let sign: Float = y < 0 ? -1 : 1
        let l = log((1 - y) * (1 + y))
        let v = 2 / (Float.pi * 0.147) + 0.5 * l
        let v2 = 1 / Float(0.147) * l
        return sign * (-v + (v * v - v2).squareRoot()).squareRoot()
    }
}
