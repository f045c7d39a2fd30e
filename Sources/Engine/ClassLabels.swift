import NightjarCore

/// The class labels of a classifier or of ZipMap's keys: int64 or string, as ONNX ML allows.
public enum ClassLabels: Sendable, Equatable {
    case int64([Int64])
    case string([String])

    public var count: Int {
        switch self {
        case .int64(let l): l.count
        case .string(let l): l.count
        }
    }

    /// Each label as text, as it appears as a JSON object key.
    public var texts: [String] {
        switch self {
        case .int64(let l): l.map(String.init)
        case .string(let l): l
        }
    }

    /// Reads the pair of attributes ONNX ML uses for labels, exactly one of which must be set.
    init(_ attributes: NodeAttributes, ints: String, strings: String) throws(NightjarError) {
        let i = attributes.ints(ints)
        let s = attributes.strings(strings)
        guard i.isEmpty != s.isEmpty else {
            throw attributes.invalid(ints, "and \(strings): exactly one of them must be given")
        }
        self = i.isEmpty ? .string(s) : .int64(i)
    }
}

extension ClassLabels {
    /// What every ai.onnx.ml classifier answers: the winning label of each row (`[rows]`) and the
    /// scores (`[rows, columns]`).
    func classifierOutputs(winners: [Int], scores: [Float], rows: Int, columns: Int) -> [Value] {
        let labelData: TensorData = switch self {
        case .int64(let l): .int64(winners.map { l[$0] })
        case .string(let l): .string(winners.map { l[$0] })
        }
        return [
            .tensor(Tensor(shape: [rows], data: labelData)),
            .tensor(Tensor(shape: [rows, columns], data: .float(scores))),
        ]
    }
}
