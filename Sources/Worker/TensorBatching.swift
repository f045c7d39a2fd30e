import NightjarCore

/// Merging tensors of several requests along the first (batch) dimension and splitting the answer back.
extension Tensor {
    /// Rows of the first dimension; nil for a scalar.
    var rows: Int? { shape.first }

    /// Stacks tensors of equal element type and equal trailing shape along the first dimension.
    /// Nil when they cannot be stacked, so the caller runs them one by one instead.
    static func concatenatingRows(_ tensors: [Tensor]) -> Tensor? {
        guard let first = tensors.first, !first.shape.isEmpty else { return nil }
        let trailing = first.shape.dropFirst()
        var rows = 0
        for t in tensors {
            guard t.shape.count == first.shape.count, t.shape.dropFirst() == trailing, t.dataType == first.dataType else { return nil }
            rows += t.shape[0]
        }
        func gather<T>(_ pick: (TensorData) -> [T]?) -> [T]? {
            var out: [T] = []
            for t in tensors {
                guard let v = pick(t.data) else { return nil }
                out += v
            }
            return out
        }
        let gathered: TensorData?
        switch first.data {
        case .float: gathered = gather { (d: TensorData) -> [Float]? in if case .float(let v) = d { return v }; return nil }.map { .float($0) }
        case .double: gathered = gather { (d: TensorData) -> [Double]? in if case .double(let v) = d { return v }; return nil }.map { .double($0) }
        case .int64: gathered = gather { (d: TensorData) -> [Int64]? in if case .int64(let v) = d { return v }; return nil }.map { .int64($0) }
        case .int32: gathered = gather { (d: TensorData) -> [Int32]? in if case .int32(let v) = d { return v }; return nil }.map { .int32($0) }
        case .bool: gathered = gather { (d: TensorData) -> [Bool]? in if case .bool(let v) = d { return v }; return nil }.map { .bool($0) }
        case .string: gathered = gather { (d: TensorData) -> [String]? in if case .string(let v) = d { return v }; return nil }.map { .string($0) }
        }
        guard let data = gathered else { return nil }
        return Tensor(shape: [rows] + trailing, data: data)
    }

    /// Rows `range` of the first dimension. Nil when the tensor has no such rows.
    func rows(_ range: Range<Int>) -> Tensor? {
        guard let total = shape.first, range.lowerBound >= 0, range.upperBound <= total else { return nil }
        let perRow = total == 0 ? 0 : data.count / total
        guard perRow * total == data.count else { return nil }
        let elements = (range.lowerBound * perRow)..<(range.upperBound * perRow)
        let sliced: TensorData
        switch data {
        case .float(let v): sliced = .float(Array(v[elements]))
        case .double(let v): sliced = .double(Array(v[elements]))
        case .int64(let v): sliced = .int64(Array(v[elements]))
        case .int32(let v): sliced = .int32(Array(v[elements]))
        case .bool(let v): sliced = .bool(Array(v[elements]))
        case .string(let v): sliced = .string(Array(v[elements]))
        }
        return Tensor(shape: [range.count] + shape.dropFirst(), data: sliced)
    }
}
