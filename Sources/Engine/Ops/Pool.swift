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

    /// Pooling over two spatial axes, plane by plane. Each output reads its taps in the tap table's
    /// order (rows, then columns within a row), so sums, ties and NaN come out as in the general path:
    /// the first tap read wins a max until a larger one comes, a window with no input tap is the
    /// lowest float, and an average divides by the taps inside the input, or inside the padding too
    /// with `count_include_pad` (never those of a ceil-mode window past the padding).
    private func pool2D(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, planes: Int,
                        _ ay: WindowGeometry.Axis, _ ax: WindowGeometry.Axis) {
        let width = ax.input
        // Columns whose windows lie wholly inside the input: there the taps run outermost over a
        // stretch of outputs, so each output's chain of maxima (or sums) advances in step with its
        // neighbours' instead of waiting on its own previous tap. Each output still takes its taps
        // in order. The columns at the edges go one output at a time.
        var interior = 0..<0
        if let lo = (0..<ax.output).first(where: { Self.taps(ax, $0) == (0, ax.kernel, ax.kernel) }) {
            let hi = (lo..<ax.output).first(where: { Self.taps(ax, $0) != (0, ax.kernel, ax.kernel) }) ?? ax.output
            interior = lo..<hi
        }
        let total = planes * ay.input * width
        for p in 0..<planes {
            let plane = x + p * ay.input * width
            let dst = out + p * ay.output * ax.output
            for oy in 0..<ay.output {
                let (y0, y1, yWithin) = Self.taps(ay, oy)
                let line = dst + oy * ax.output
                func one(_ ox: Int) {
                    let (x0, x1, xWithin) = Self.taps(ax, ox)
                    if mode == .max {
                        guard y0 < y1 && x0 < x1 else {
                            line[ox] = -Float.greatestFiniteMagnitude
                            return
                        }
                        var best = plane[ay.coordinate(oy, y0) * width + ax.coordinate(ox, x0)]
                        for ky in y0..<y1 {
                            let row = plane + ay.coordinate(oy, ky) * width
                            for kx in x0..<x1 {
                                let v = row[ax.coordinate(ox, kx)]
                                best = v > best ? v : best
                            }
                        }
                        line[ox] = best
                    } else {
                        var sum: Float = 0
                        for ky in y0..<y1 {
                            let row = plane + ay.coordinate(oy, ky) * width
                            for kx in x0..<x1 { sum += row[ax.coordinate(ox, kx)] }
                        }
                        let n = countIncludePad ? yWithin * xWithin : (y1 - y0) * (x1 - x0)
                        line[ox] = sum / Float(max(n, 1))
                    }
                }
                for ox in 0..<interior.lowerBound { one(ox) }
                // Eight outputs at a time in vector lanes while their windows' loads stay inside x.
                var vectorEnd = interior.lowerBound
                if !interior.isEmpty && y0 < y1 {
                    vectorEnd = pool8(plane, line, width: width, end: x + total, oy: oy, y0: y0, y1: y1,
                                      yWithin: yWithin, ay: ay, ax: ax, columns: interior)
                }
                let rest = vectorEnd..<interior.upperBound
                if !rest.isEmpty {
                    let interior = rest
                    let step = ax.stride, first = ax.coordinate(interior.lowerBound, 0)
                    if mode == .max && y0 >= y1 {
                        for ox in interior { line[ox] = -Float.greatestFiniteMagnitude }
                    } else if mode == .max {
                        let top = plane + ay.coordinate(oy, y0) * width + first
                        for ox in interior { line[ox] = top[(ox - interior.lowerBound) * step] }
                        for ky in y0..<y1 {
                            let row = plane + ay.coordinate(oy, ky) * width + first
                            for kx in (ky == y0 ? 1 : 0)..<ax.kernel {
                                let tap = row + kx * ax.dilation
                                for ox in interior {
                                    let v = tap[(ox - interior.lowerBound) * step], held = line[ox]
                                    line[ox] = v > held ? v : held
                                }
                            }
                        }
                    } else {
                        for ox in interior { line[ox] = 0 }
                        for ky in y0..<y1 {
                            let row = plane + ay.coordinate(oy, ky) * width + first
                            for kx in 0..<ax.kernel {
                                let tap = row + kx * ax.dilation
                                for ox in interior { line[ox] += tap[(ox - interior.lowerBound) * step] }
                            }
                        }
                        let n = countIncludePad ? yWithin * ax.kernel : (y1 - y0) * ax.kernel
                        let divisor = Float(max(n, 1))
                        for ox in interior { line[ox] /= divisor }
                    }
                }
                for ox in interior.upperBound..<ax.output { one(ox) }
            }
        }
    }

    /// Interior columns of one output row, eight outputs per vector, from the first of `columns`
    /// while a block's loads end inside x (`end`); returns the first column not done. Lane by lane
    /// the same taps in the same order and the same comparisons or sums as the scalar loops.
    private func pool8(_ plane: UnsafePointer<Float>, _ line: UnsafeMutablePointer<Float>, width: Int,
                       end: UnsafePointer<Float>, oy: Int, y0: Int, y1: Int, yWithin: Int,
                       ay: WindowGeometry.Axis, ax: WindowGeometry.Axis, columns: Range<Int>) -> Int {
        let step = ax.stride
        // Strides 1 and 2 load contiguous vectors (every other lane for 2); others gather lanes.
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
            switch step {
            case 1: return UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
            case 2: return UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self).evenHalf
            default: return SIMD8<Float>(p[0], p[step], p[2 * step], p[3 * step], p[4 * step], p[5 * step], p[6 * step], p[7 * step])
            }
        }
        // Elements a load may touch past its first: 16 lanes for stride 2.
        let reach = step == 2 ? 16 : 7 * step + 1
        var ox = columns.lowerBound
        while ox + 8 <= columns.upperBound {
            let first = ax.coordinate(ox, 0)
            let lastRow = plane + ay.coordinate(oy, y1 - 1) * width + first + (ax.kernel - 1) * ax.dilation
            guard lastRow + reach <= end else { break }
            var acc: SIMD8<Float>
            if mode == .max {
                acc = load(plane + ay.coordinate(oy, y0) * width + first)
                for ky in y0..<y1 {
                    let row = plane + ay.coordinate(oy, ky) * width + first
                    for kx in (ky == y0 ? 1 : 0)..<ax.kernel {
                        let v = load(row + kx * ax.dilation)
                        acc.replace(with: v, where: v .> acc)
                    }
                }
            } else {
                acc = .zero
                for ky in y0..<y1 {
                    let row = plane + ay.coordinate(oy, ky) * width + first
                    for kx in 0..<ax.kernel { acc += load(row + kx * ax.dilation) }
                }
                let n = countIncludePad ? yWithin * ax.kernel : (y1 - y0) * ax.kernel
                acc /= SIMD8(repeating: Float(max(n, 1)))
            }
            UnsafeMutableRawPointer(line + ox).storeBytes(of: acc, as: SIMD8<Float>.self)
            ox += 8
        }
        return ox
    }

    /// For output `o` along axis `a`: the taps `first..<end` that read the input, and how many taps
    /// lie inside the input or its padding (a ceil-mode window may hang past both).
    @inline(__always)
    static func taps(_ a: WindowGeometry.Axis, _ o: Int) -> (first: Int, end: Int, within: Int) {
        let start = o * a.stride - a.padBegin
        func tapsBelow(_ limit: Int) -> Int {  // taps k with start + k · dilation < limit
            // Without dilation no division: it cost more than the pooling itself.
            limit <= start ? 0 : min(a.kernel, a.dilation == 1 ? limit - start : (limit - start + a.dilation - 1) / a.dilation)
        }
        let first = min(tapsBelow(0), a.kernel)
        let end = max(tapsBelow(a.input), first)
        return (first, end, tapsBelow(a.input + a.padEnd))
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
struct GlobalPoolKernel: Kernel {
    /// Outputs are new arrays, never the input passed through.
    var writesFreshOutputs: Bool { true }

    let average: Bool
    var op: String { average ? "GlobalAveragePool" : "GlobalMaxPool" }

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
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
        case .float(let v): return [.tensor(Tensor(shape: shape, data: .float(pooled(v))))]
        case .double(let v): return [.tensor(Tensor(shape: shape, data: .double(pooled(v))))]
        default: throw .invalidArgument("\(op): element type \(x.dataType.rawValue) is not supported")
        }
    }
}
