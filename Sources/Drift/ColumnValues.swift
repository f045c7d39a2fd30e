import NightjarCore

/// All the reference values of one column, as a profile is built from them.
public enum ColumnValues: Sendable, Equatable {
    /// Measurements. NaN and infinities count as missing.
    case numeric([Double])
    /// Strings, booleans or class labels: compared by category frequency.
    case categorical([String])

    /// Integer class labels (a classifier's predicted label) are categories, not measurements.
    public static func labels<Label: BinaryInteger>(_ labels: [Label]) -> ColumnValues {
        .categorical(labels.map { String($0) })
    }

    public var count: Int {
        switch self {
        case .numeric(let v): v.count
        case .categorical(let v): v.count
        }
    }

    public var kind: DriftColumnKind {
        switch self {
        case .numeric: .numeric
        case .categorical: .categorical
        }
    }
}

