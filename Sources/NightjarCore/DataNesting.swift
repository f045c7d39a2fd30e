/// How a JSON tensor's `data` was nested, recorded while it is flattened, so nested data can be checked
/// against the tensor's `shape`. OIP allows data flat or nested by shape; flattening alone would let
/// `[[1], [2, 3, 4, 5, 6]]` (ragged) or `[[1, 2, 3], [4, 5, 6]]` pass for shape [1, 6].
///
/// The flattening loops call it once per array and once per scalar; it stores one length per level,
/// never anything per element, to keep the worker's decoding as cheap as it was.
public struct DataNesting: Sendable {
    /// The length of the arrays at each level, the outermost first, as the first array there had it.
    private var lengths: [Int] = []
    /// How many arrays enclose the scalars, as the first scalar had it.
    private var scalarDepth: Int?
    /// The first disagreement: arrays of one level with different lengths, or scalars at different depths.
    private var ragged: String?

    public init() {}

    /// Data given flat, as built in code.
    public static func flat(count: Int) -> DataNesting {
        var nesting = DataNesting()
        nesting.lengths = [count]
        nesting.scalarDepth = count > 0 ? 1 : nil
        return nesting
    }

    /// An array at `level` (0 for `data`'s own) closed with `length` elements.
    public mutating func array(atLevel level: Int, length: Int) {
        while lengths.count <= level { lengths.append(-1) }
        if lengths[level] < 0 {
            lengths[level] = length
        } else if lengths[level] != length, ragged == nil {
            ragged = "arrays at depth \(level + 1) have different lengths (\(lengths[level]) and \(length))"
        }
    }

    /// A scalar inside `depth` arrays.
    public mutating func scalar(atDepth depth: Int) {
        if let scalarDepth {
            if scalarDepth != depth, ragged == nil {
                ragged = "values sit at different depths (inside \(scalarDepth) and \(depth) arrays)"
            }
        } else {
            scalarDepth = depth
        }
    }

    /// Why this data does not fit `shape`, or nil when it does: flat data always does (its count is
    /// checked elsewhere); nested data must be nested exactly as the shape.
    public func mismatch(with shape: [Int]) -> String? {
        if let ragged { return "data is ragged: \(ragged); nest it as the shape \(shape), or send it flat" }
        guard let scalarDepth, scalarDepth > 1 else { return nil }
        let nested = Array(lengths.prefix(scalarDepth))
        guard nested != shape else { return nil }
        return "data is nested as \(nested) but shape is \(shape); nest it as the shape, or send it flat"
    }
}
