import Foundation
import NightjarCore

/// How a shadow's answer differs from the primary's for one request. Pure: two OIP answers in, numbers out.
struct ShadowComparison: Sendable, Equatable {
    /// Every non-floating output (labels, ids, strings) is identical, and every output has the same shape.
    var agrees: Bool
    /// Sum of |primary - shadow| over the elements of floating outputs, and how many elements that is.
    var absoluteDifferenceSum: Double
    var comparedElements: Int

    static let floatingTypes: Set<String> = ["FP16", "FP32", "FP64", "BF16"]

    /// Compares two workers' OIP infer answers (JSON or binary) output by output; nil when either
    /// cannot be read as one.
    static func compare(primary: WorkerAnswer, shadow: WorkerAnswer) -> ShadowComparison? {
        guard let a = OIPTensorList.answer(primary), let b = OIPTensorList.answer(shadow) else { return nil }
        return compare(primary: a, shadow: b)
    }

    static func compare(primary: InferResponse, shadow: InferResponse) -> ShadowComparison {
        var result = ShadowComparison(agrees: true, absoluteDifferenceSum: 0, comparedElements: 0)
        let shadowOutputs = Dictionary(shadow.outputs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for output in primary.outputs {
            guard let other = shadowOutputs[output.name], other.shape == output.shape,
                  other.data.elements.count == output.data.elements.count else {
                result.agrees = false
                continue
            }
            if floatingTypes.contains(output.datatype) {
                for (x, y) in zip(output.data.elements, other.data.elements) {
                    guard let p = number(x), let s = number(y) else { continue }
                    result.absoluteDifferenceSum += abs(p - s)
                    result.comparedElements += 1
                }
            } else if output.data != other.data {
                result.agrees = false
            }
        }
        return result
    }

    private static func number(_ scalar: JSONScalar) -> Double? {
        switch scalar {
        case .double(let d): d
        case .int(let i): Double(i)
        case .bool, .string: nil
        }
    }
}
