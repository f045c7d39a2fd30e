import CEngineKernels
import NightjarCore

/// `MaxPool` and `AveragePool` over any number of spatial axes of a float `[N, C, D1, …]` input,
/// with padding, strides, dilations and ceil mode; `MaxPool`'s optional second output gives the
/// flat index of each maximum. Padded positions never win a max; an average counts them only with
/// `count_include_pad`, and never counts the part of a ceil-mode window past the padding.
struct PoolKernel: ArenaKernel {
    enum Mode: String { case max = "MaxPool", average = "AveragePool" }

    let mode: Mode
    let geometry: WindowGeometry
    let countIncludePad: Bool
    let columnMajorIndices: Bool
    /// Whether the graph reads MaxPool's `Indices` output; computing it costs as much as the maximum.
    let wantsIndices: Bool

    init(_ mode: Mode, _ a: NodeAttributes, opset: Int) throws(NightjarError) {
        self.mode = mode
        geometry = try WindowGeometry(a, kernelRequired: true, allowCeil: true)
        if mode == .average && opset < 19 && !geometry.dilations.isEmpty && geometry.dilations.contains(where: { $0 != 1 }) {
            throw a.invalid("dilations", "are only defined for AveragePool from opset 19")
        }
        countIncludePad = try a.int("count_include_pad", default: 0) != 0
        columnMajorIndices = try a.int("storage_order", default: 0) != 0
        wantsIndices = mode == .max && a.node.output.count > 1 && !a.node.output[1].isEmpty
        if mode == .average && a.node.output.count > 1 {
            throw a.invalid("outputs", "are \(a.node.output.count); AveragePool has one")
        }
    }

    func run(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> [Value] {
        let x = try KernelInputs(values: inputs, op: mode.rawValue).tensor(0)
        try Shapes.check(x, op: mode.rawValue)
        guard case .float(let xv) = x.data else {
            throw .invalidArgument("\(mode.rawValue): element type \(x.dataType.rawValue) is not supported (float only)")
        }
        let axes = try geometry.axes(input: x.shape, kernel: geometry.kernelShape, op: mode.rawValue)
        let outShape = Array(x.shape.prefix(2)) + axes.map(\.output)
        let planes = try Shapes.count(Array(x.shape.prefix(2)), op: mode.rawValue)
        let inCount = try Shapes.count(Array(x.shape.dropFirst(2)), op: mode.rawValue)
        let outCount = try Shapes.count(axes.map(\.output), op: mode.rawValue)
        // Two spatial axes without Indices, the common case: window bounds by arithmetic, no table.
        if axes.count == 2, !wantsIndices, planes > 0, inCount > 0 {
            let count = try Shapes.count(outShape, op: mode.rawValue)
            let out = xv.withUnsafeBufferPointer { xp in
                arena.floats(count: count) { op in
                    guard let x = xp.baseAddress, let o = op.baseAddress else { return }
                    pool2D(x, o, planes: planes, axes[0], axes[1])
                }
            }
            return [.tensor(Tensor(shape: outShape, data: .float(out)))]
        }
        let table = try WindowGeometry.tapTable(axes, op: mode.rawValue)
        let taps = table.count / max(outCount, 1)
        var out = [Float](repeating: 0, count: try Shapes.count(outShape, op: mode.rawValue))
        var indices: [Int64] = []
        switch mode {
        case .average:
            // Per output: how many taps the average divides by.
            var divisors = [Float](repeating: 0, count: outCount)
            for o in 0..<outCount {
                var n = 0
                for t in 0..<taps {
                    let offset = table[t * outCount + o]
                    if offset >= 0 || (countIncludePad && offset == WindowGeometry.padding) { n += 1 }
                }
                divisors[o] = Float(max(n, 1))
            }
            // Taps outermost: each pass reads one contiguous row of the table. Sums still run over
            // the taps in order for every output, as onnxruntime's do.
            xv.withUnsafeBufferPointer { xp in
                out.withUnsafeMutableBufferPointer { op in
                    for p in 0..<planes {
                        let plane = xp.baseAddress.map { $0 + p * inCount }
                        let sums = op.baseAddress.map { $0 + p * outCount }
                        guard let plane, let sums else { continue }
                        for t in 0..<taps {
                            let row = t * outCount
                            for o in 0..<outCount {
                                let offset = table[row + o]
                                if offset >= 0 { sums[o] += plane[offset] }
                            }
                        }
                        for o in 0..<outCount { sums[o] /= divisors[o] }
                    }
                }
            }
        case .max:
            var at = [Int](repeating: -1, count: out.count)
            // Without branches on the comparison, which mispredict on about half of the taps.
            // The first tap a window reads always wins, so a NaN there stays, as onnxruntime's does.
            xv.withUnsafeBufferPointer { xp in
                table.withUnsafeBufferPointer { tp in
                    out.withUnsafeMutableBufferPointer { op in
                        at.withUnsafeMutableBufferPointer { ap in
                            guard let x = xp.baseAddress, let taps0 = tp.baseAddress, let best0 = op.baseAddress, let arg0 = ap.baseAddress else { return }
                            for p in 0..<planes {
                                let plane = x + p * inCount, best = best0 + p * outCount, arg = arg0 + p * outCount
                                for t in 0..<taps {
                                    let row = taps0 + t * outCount
                                    for o in 0..<outCount {
                                        let offset = row[o]
                                        if offset < 0 { continue }
                                        let v = plane[offset], held = best[o], heldAt = arg[o]
                                        // All ones when v wins; selects by masking, which the compiler
                                        // cannot turn back into a jump as it does a conditional.
                                        let wins = 0 &- ((v > held ? 1 : 0) | (heldAt < 0 ? 1 : 0))
                                        let bits = UInt32(truncatingIfNeeded: wins)
                                        best[o] = Float(bitPattern: (v.bitPattern & bits) | (held.bitPattern & ~bits))
                                        arg[o] = (offset & wins) | (heldAt & ~wins)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for i in out.indices where at[i] < 0 { out[i] = -Float.greatestFiniteMagnitude }
            if wantsIndices {
                let spatial = Array(x.shape.dropFirst(2))
                indices = [Int64](repeating: 0, count: out.count)
                for i in out.indices {
                    let offset = max(at[i], 0)
                    indices[i] = Int64((i / max(outCount, 1)) * inCount + (columnMajorIndices ? Self.columnMajor(offset, spatial) : offset))
                }
            }
        }
        var results: [Value] = [.tensor(Tensor(shape: outShape, data: .float(out)))]
        if wantsIndices { results.append(.tensor(Tensor(shape: outShape, data: .int64(indices)))) }
        return results
    }

    /// Pooling over two spatial axes, plane by plane, in C (`nj_pool2d`). Each output reads its taps
    /// in the tap table's order (rows, then columns within a row), so sums, ties and NaN come out as
    /// in the general path: the first tap read wins a max until a larger one comes, a window with no
    /// input tap is the lowest float, and an average divides by the taps inside the input, or inside
    /// the padding too with `count_include_pad` (never those of a ceil-mode window past the padding).
    /// The windows are resolved here once per run, for every plane.
    private func pool2D(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, planes: Int,
                        _ ay: WindowGeometry.Axis, _ ax: WindowGeometry.Axis) {
        /// Per output along one axis: the first input coordinate read, how many taps read the input,
        /// and how many an average counts.
        func windows(_ a: WindowGeometry.Axis) -> (first: [Int], taps: [Int], counted: [Int]) {
            var first: [Int] = [], taps: [Int] = [], counted: [Int] = []
            first.reserveCapacity(a.output)
            taps.reserveCapacity(a.output)
            counted.reserveCapacity(a.output)
            for o in 0..<a.output {
                let (t0, t1, within) = WindowGeometry.taps(a, o)
                first.append(t0 < t1 ? a.coordinate(o, t0) : 0)
                taps.append(t1 - t0)
                counted.append(countIncludePad ? within : t1 - t0)
            }
            return (first, taps, counted)
        }
        let rows = windows(ay), columns = windows(ax)
        // Each output's taps inside the input as plane offsets, in the window's order.
        var tapStart = [0], taps: [Int] = [], divisors: [Float] = []
        tapStart.reserveCapacity(ay.output * ax.output + 1)
        taps.reserveCapacity(ay.output * ax.output * ay.kernel * ax.kernel)
        if mode == .average { divisors.reserveCapacity(ay.output * ax.output) }
        for oy in 0..<ay.output {
            for ox in 0..<ax.output {
                for ky in 0..<rows.taps[oy] {
                    let row = (rows.first[oy] + ky * ay.dilation) * ax.input + columns.first[ox]
                    for kx in 0..<columns.taps[ox] { taps.append(row + kx * ax.dilation) }
                }
                tapStart.append(taps.count)
                if mode == .average { divisors.append(Float(max(rows.counted[oy] * columns.counted[ox], 1))) }
            }
        }
        // Columns whose windows lie wholly inside the input, which the vector path takes eight at a time.
        var interior = 0..<0
        if let lo = (0..<ax.output).first(where: { WindowGeometry.taps(ax, $0) == (0, ax.kernel, ax.kernel) }) {
            let hi = (lo..<ax.output).first(where: { WindowGeometry.taps(ax, $0) != (0, ax.kernel, ax.kernel) }) ?? ax.output
            interior = lo..<hi
        }
        tapStart.withUnsafeBufferPointer { ts in
            taps.withUnsafeBufferPointer { tp in
                divisors.withUnsafeBufferPointer { dp in
                    guard let ts = ts.baseAddress else { return }
                    // No tap at all (every window in the padding) leaves `taps` empty.
                    let tapList = tp.baseAddress ?? UnsafePointer(ts)
                    let divisor = mode == .average ? dp.baseAddress : nil
                    if BlockedGemm.fusedMultiplyAdd {
                        nj_pool2d_avx2(x, out, planes, ay.input, ax.input, ay.output, ax.output, ts, tapList, divisor,
                                       rows.first, rows.taps, columns.first, ay.dilation, ax.dilation,
                                       interior.lowerBound, interior.upperBound, ax.kernel, ax.stride)
                    } else {
                        nj_pool2d(x, out, planes, ay.input, ax.input, ay.output, ax.output, ts, tapList, divisor)
                    }
                }
            }
        }
    }

    /// A row-major offset within one plane, re-expressed with the first spatial axis varying fastest.
    static func columnMajor(_ offset: Int, _ shape: [Int]) -> Int {
        var rest = offset, result = 0, step = 1
        let strides = shape.rowMajorStrides
        for d in 0..<shape.count {
            let coordinate = strides[d] > 0 ? rest / strides[d] : 0
            rest -= coordinate * strides[d]
            result += coordinate * step
            step *= shape[d]
        }
        return result
    }
}

/// `GlobalAveragePool` and `GlobalMaxPool`: one value per channel over all spatial axes.
struct GlobalPoolKernel: SingleOutputKernel {
    /// Outputs are new arrays, never the input passed through.
    var writesFreshOutputs: Bool { true }

    let average: Bool
    var op: String { average ? "GlobalAveragePool" : "GlobalMaxPool" }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: op).tensor(0)
        try Shapes.check(x, op: op)
        guard x.shape.count >= 3 else { throw .invalidArgument("\(op): input \(x.shape) must be [N, C, spatial…]") }
        let planes = try Shapes.count(Array(x.shape.prefix(2)), op: op)
        let size = try Shapes.count(Array(x.shape.dropFirst(2)), op: op)
        let shape = Array(x.shape.prefix(2)) + Array(repeating: 1, count: x.shape.count - 2)
        func pooled<T: BinaryFloatingPoint>(_ v: [T]) -> [T] {
            (0..<planes).map { p in
                let plane = v[(p * size)..<((p + 1) * size)]
                if average { return size == 0 ? T.nan : plane.reduce(0, +) / T(size) }
                return plane.max() ?? -T.infinity
            }
        }
        switch x.data {
        case .float(let v): return .tensor(Tensor(shape: shape, data: .float(pooled(v))))
        case .double(let v): return .tensor(Tensor(shape: shape, data: .double(pooled(v))))
        default: throw .invalidArgument("\(op): element type \(x.dataType.rawValue) is not supported")
        }
    }
}
