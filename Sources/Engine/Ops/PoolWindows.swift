import NightjarCore

/// The windows of `MaxPool` and `AveragePool` for one input spatial shape, resolved once and kept
/// (`WindowCache`): the axes, and for two spatial axes each output's taps inside the input as
/// plane offsets in the window's order (rows, then columns within a row), with the first input
/// row and column each window reads and, for an average, what each output divides by.
struct PoolWindows: Sendable {
    let axes: [WindowGeometry.Axis]
    /// The axes as rows and columns: a 1-D input is one row (the same taps in the same order).
    /// Empty for more than two spatial axes.
    let plane: [WindowGeometry.Axis]
    /// Elements in one input plane and one output plane.
    let inCount: Int
    let outCount: Int

    // One or two spatial axes only (empty otherwise).
    let rowFirst: [Int]
    let rowTaps: [Int]
    let columnFirst: [Int]
    let tapStart: [Int]
    let taps: [Int]
    let divisors: [Float]
    /// Columns whose windows lie wholly inside the input, which the row vectors take eight at a time.
    let interior: Range<Int>

    init(_ axes: [WindowGeometry.Axis], average: Bool, countIncludePad: Bool, op: String) throws(NightjarError) {
        self.axes = axes
        inCount = try Shapes.count(axes.map(\.input), op: op)
        outCount = try Shapes.count(axes.map(\.output), op: op)
        plane = WindowGeometry.plane(axes)
        guard plane.count == 2 else {
            (rowFirst, rowTaps, columnFirst, tapStart, taps, divisors, interior) = ([], [], [], [0], [], [], 0..<0)
            return
        }
        let ay = plane[0], ax = plane[1]
        /// Per output along one axis: the first input coordinate read, how many taps read the input,
        /// and how many an average counts.
        func windows(_ a: WindowGeometry.Axis) -> (first: [Int], taps: [Int], counted: [Int]) {
            var first: [Int] = [], taps: [Int] = [], counted: [Int] = []
            for o in 0..<a.output {
                let (t0, t1, within) = WindowGeometry.taps(a, o)
                first.append(t0 < t1 ? a.coordinate(o, t0) : 0)
                taps.append(t1 - t0)
                counted.append(countIncludePad ? within : t1 - t0)
            }
            return (first, taps, counted)
        }
        let rows = windows(ay), columns = windows(ax)
        var tapStart = [0], taps: [Int] = [], divisors: [Float] = []
        for oy in 0..<ay.output {
            for ox in 0..<ax.output {
                for ky in 0..<rows.taps[oy] {
                    let row = (rows.first[oy] + ky * ay.dilation) * ax.input + columns.first[ox]
                    for kx in 0..<columns.taps[ox] { taps.append(row + kx * ax.dilation) }
                }
                tapStart.append(taps.count)
                if average { divisors.append(Float(max(rows.counted[oy] * columns.counted[ox], 1))) }
            }
        }
        var interior = 0..<0
        if let lo = (0..<ax.output).first(where: { WindowGeometry.taps(ax, $0) == (0, ax.kernel, ax.kernel) }) {
            let hi = (lo..<ax.output).first(where: { WindowGeometry.taps(ax, $0) != (0, ax.kernel, ax.kernel) }) ?? ax.output
            interior = lo..<hi
        }
        // No tap at all (every window in the padding) leaves `taps` empty; nothing reads it then,
        // but the C kernels take its address.
        if taps.isEmpty { taps = [0] }
        (rowFirst, rowTaps, columnFirst) = (rows.first, rows.taps, columns.first)
        (self.tapStart, self.taps, self.divisors, self.interior) = (tapStart, taps, divisors, interior)
    }
}
