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
    /// What every ai.onnx.ml classifier answers, appended to a step's outputs: the winning label of
    /// each row (`[rows]`) and the scores (`[rows, columns]`).
    func appendClassifierOutputs(winners: [Int], scores: [Float], rows: Int, columns: Int, arena: inout TensorArena, to outputs: inout [Value]) {
        let labelData: TensorData = switch self {
        case .int64(let l): .int64(winners.map { l[$0] })
        case .string(let l): .string(winners.map { l[$0] })
        }
        outputs.append(.tensor(Tensor(shape: arena.shape(rank: 1) { _ in rows }, data: labelData)))
        outputs.append(.tensor(Tensor(shape: arena.shape(rank: 2) { $0 == 0 ? rows : columns }, data: .float(scores))))
    }

    /// The same with the winners as indices in an int64 buffer from `arena`, which becomes the
    /// int64 labels in place (string labels need an array of their own; the buffer goes back).
    func appendClassifierOutputs(winnerIndices: inout [Int64], scores: [Float], rows: Int, columns: Int, arena: inout TensorArena,
                                 to outputs: inout [Value]) {
        let labelData: TensorData
        switch self {
        case .int64(let l):
            winnerIndices.withUnsafeMutableBufferPointer { w in
                for r in w.indices { w[r] = l[Int(w[r])] }
            }
            labelData = .int64(winnerIndices)
        case .string(let l):
            labelData = .string(winnerIndices.map { l[Int($0)] })
            arena.recycle(winnerIndices)
        }
        outputs.append(.tensor(Tensor(shape: arena.shape(rank: 1) { _ in rows }, data: labelData)))
        outputs.append(.tensor(Tensor(shape: arena.shape(rank: 2) { $0 == 0 ? rows : columns }, data: .float(scores))))
    }
}
