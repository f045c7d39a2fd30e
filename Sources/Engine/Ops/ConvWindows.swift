import NightjarCore

/// What `Conv` resolves from its input's spatial shape and its weights' shape, once per shape and
/// kept (`WindowCache`): the axes, the element counts, and the tap lists its paths read — a
/// depthwise layer's taps inside the input, or the general unfolding's tap table.
struct ConvWindows: Sendable {
    let axes: [WindowGeometry.Axis]
    /// The axes as rows and columns, for the kernels of two spatial axes: a 1-D input is one row
    /// (the same taps in the same order). Empty for other ranks.
    let plane: [WindowGeometry.Axis]
    /// Elements in one input plane, one output plane, and one filter's window.
    let inCount: Int
    let outCount: Int
    let taps: Int
    /// A window of one tap without stride or padding: the input is read as it lies.
    let direct: Bool
    /// Per output of a depthwise layer (one channel, one filter per group, two spatial axes), its
    /// taps inside the input in tap order: `inputAt` (where in the plane) and `weightAt` (which
    /// weight) for `tapStart[o] ..< tapStart[o + 1]`. Empty otherwise.
    let tapStart: [Int]
    let inputAt: [Int]
    let weightAt: [Int]
    /// `WindowGeometry.tapTable` for more than two spatial axes (empty otherwise).
    let tapTable: [Int]

    init(_ geometry: WindowGeometry, input: [Int], weights: [Int], group: Int) throws(NightjarError) {
        let kernel = Array(weights.dropFirst(2))
        guard geometry.kernelShape.isEmpty || geometry.kernelShape == kernel else {
            throw .invalidArgument("Conv: kernel_shape \(geometry.kernelShape) differs from the weights' \(kernel)")
        }
        axes = try geometry.axes(input: input, kernel: kernel, op: "Conv")
        inCount = try Shapes.count(axes.map(\.input), op: "Conv")
        outCount = try Shapes.count(axes.map(\.output), op: "Conv")
        taps = try Shapes.count(kernel, op: "Conv")
        direct = axes.allSatisfy { $0.kernel == 1 && $0.stride == 1 && $0.padBegin == 0 && $0.padEnd == 0 }
        plane = WindowGeometry.plane(axes)
        tapTable = plane.count == 2 || direct ? [] : try WindowGeometry.tapTable(axes, op: "Conv")
        guard plane.count == 2, weights[1] == 1, weights[0] == group else {
            (tapStart, inputAt, weightAt) = ([], [], [])
            return
        }
        let ay = plane[0], ax = plane[1]
        var tapStart = [0], inputAt: [Int] = [], weightAt: [Int] = []
        for oy in 0..<ay.output {
            let (y0, y1, _) = WindowGeometry.taps(ay, oy)
            for ox in 0..<ax.output {
                let (x0, x1, _) = WindowGeometry.taps(ax, ox)
                for ky in y0..<y1 {
                    for kx in x0..<x1 {
                        inputAt.append(ay.coordinate(oy, ky) * ax.input + ax.coordinate(ox, kx))
                        weightAt.append(ky * ax.kernel + kx)
                    }
                }
                tapStart.append(inputAt.count)
            }
        }
        // No tap at all (every window in the padding) leaves the lists empty; nothing reads them then.
        if inputAt.isEmpty { inputAt = [0]; weightAt = [0] }
        (self.tapStart, self.inputAt, self.weightAt) = (tapStart, inputAt, weightAt)
    }
}
