import NightjarCore

/// Every operator the engine runs, keyed by (domain, op type, opset range). Loading a model looks
/// each node up here, so an unsupported node is refused at load time, never at request time.
struct OperatorTable {
    typealias Factory = @Sendable (NodeAttributes) throws(NightjarError) -> any Kernel

    struct Entry: Sendable {
        let domain: String
        let opType: String
        let opsets: ClosedRange<Int>
        let make: Factory
    }

    static let onnx = "ai.onnx"
    static let ml = "ai.onnx.ml"

    static let entries: [Entry] = [
        Entry(domain: onnx, opType: "Identity", opsets: 1...23) { (_) throws(NightjarError) -> any Kernel in IdentityKernel() },
        Entry(domain: onnx, opType: "Cast", opsets: 6...23) { (a) throws(NightjarError) -> any Kernel in try CastKernel(a) },
        Entry(domain: onnx, opType: "ArgMax", opsets: 1...13) { (a) throws(NightjarError) -> any Kernel in try ArgMaxKernel(a) },
        Entry(domain: ml, opType: "Scaler", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try ScalerKernel(a) },
        Entry(domain: ml, opType: "Normalizer", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try NormalizerKernel(a) },
        Entry(domain: ml, opType: "LinearClassifier", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try LinearClassifierKernel(a) },
        Entry(domain: ml, opType: "LinearRegressor", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try LinearRegressorKernel(a) },
        Entry(domain: ml, opType: "ZipMap", opsets: 1...5) { (a) throws(NightjarError) -> any Kernel in try ZipMapKernel(a) },
        Entry(domain: ml, opType: "TreeEnsembleClassifier", opsets: 1...4) { (a) throws(NightjarError) -> any Kernel in try TreeEnsembleFactory.classifier(a) },
        Entry(domain: ml, opType: "TreeEnsembleRegressor", opsets: 1...4) { (a) throws(NightjarError) -> any Kernel in try TreeEnsembleFactory.regressor(a) },
        Entry(domain: ml, opType: "TreeEnsemble", opsets: 5...5) { (a) throws(NightjarError) -> any Kernel in try TreeEnsembleFactory.ensemble(a) },
    ]

    /// The ONNX default domain has two spellings.
    static func canonical(domain: String) -> String {
        domain.isEmpty ? onnx : domain
    }

    static func lookup(domain: String, opType: String, opset: Int) -> Entry? {
        let d = canonical(domain: domain)
        return entries.first { $0.domain == d && $0.opType == opType && $0.opsets.contains(opset) }
    }

    static func supports(domain: String, opType: String) -> [ClosedRange<Int>] {
        let d = canonical(domain: domain)
        return entries.filter { $0.domain == d && $0.opType == opType }.map(\.opsets)
    }
}
