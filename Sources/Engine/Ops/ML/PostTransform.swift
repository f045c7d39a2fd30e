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

    /// Applies the transform to one row of scores in place.
    func apply(_ row: inout ArraySlice<Float>) {
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

    static func sigmoid(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }

    /// The inverse of the standard normal CDF, as onnxruntime computes it: √2 · erfinv(2x − 1).
    static func probit(_ x: Float) -> Float {
        Float(2).squareRoot() * erfInverse(2 * x - 1)
    }

    /// Winitzki's approximation refined by two Newton steps, accurate to float precision.
    static func erfInverse(_ y: Float) -> Float {
        let yd = Double(y)
        if yd <= -1 { return -.infinity }
        if yd >= 1 { return .infinity }
        let a = 0.147
        let ln = log(1 - yd * yd)
        let t = 2 / (Double.pi * a) + ln / 2
        var x = (yd < 0 ? -1.0 : 1.0) * (((t * t) - ln / a).squareRoot() - t).squareRoot()
        for _ in 0..<2 {
            let err = erf(x) - yd
            x -= err / (2 / Double.pi.squareRoot() * exp(-x * x))
        }
        return Float(x)
    }
}
