import CEngineKernels
import NightjarCore

/// `MaxPool` and `AveragePool` over any number of spatial axes of a float `[N, C, D1, …]` input,
/// with padding, strides, dilations and ceil mode; `MaxPool`'s optional second output gives the
/// flat index of each maximum. Padded positions never win a max; an average counts them only with
/// `count_include_pad`, and never counts the part of a ceil-mode window past the padding.
struct PoolKernel: AppendingKernel {
    enum Mode: String { case max = "MaxPool", average = "AveragePool" }

    let mode: Mode
    let geometry: WindowGeometry
    let countIncludePad: Bool
    let columnMajorIndices: Bool
    /// Whether the graph reads MaxPool's `Indices` output; computing it costs as much as the maximum.
    let wantsIndices: Bool
    /// The windows of the last input shape.
    let windowCache = WindowCache<PoolWindows>()

    /// Outputs come from the arena or are new arrays.
    var writesFreshOutputs: Bool { true }

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

    func run(_ inputs: [Value?], arena: inout TensorArena, appendingTo outputs: inout [Value]) throws(NightjarError) {
        let x = try KernelInputs(values: inputs, op: mode.rawValue).tensor(0)
        try Shapes.check(x, op: mode.rawValue)
        guard case .float(let xv) = x.data else {
            throw .invalidArgument("\(mode.rawValue): element type \(x.dataType.rawValue) is not supported (float only)")
        }
        guard x.shape.count >= 3 else {
            throw .invalidArgument("\(mode.rawValue): input of shape \(x.shape) does not fit a \(geometry.kernelShape.count)-D window (expected [N, C, \(geometry.kernelShape.count) spatial dimensions])")
        }
        let windows = try windowCache.entry(spatial: x.shape[2...], kernel: geometry.kernelShape[...]) { () throws(NightjarError) in
            try PoolWindows(geometry.axes(input: x.shape, kernel: geometry.kernelShape, op: mode.rawValue),
                            average: mode == .average, countIncludePad: countIncludePad, op: mode.rawValue)
        }
        let axes = windows.axes, inCount = windows.inCount, outCount = windows.outCount
        let outShape = arena.shape(rank: x.shape.count) { $0 < 2 ? x.shape[$0] : axes[$0 - 2].output }
        // One or two spatial axes without Indices, the common case: window bounds by arithmetic, no table.
        if windows.plane.count == 2, !wantsIndices, inCount > 0, x.shape[0] > 0, x.shape[1] > 0 {
            // At most the input's element count, which `Shapes.check` bounds.
            let planes = x.shape[0] * x.shape[1]
            let count = try Shapes.count(outShape, op: mode.rawValue)
            // Rows shorter than a vector go several planes per vector, each lane one plane, through scratch.
            let planesPerVector = BlockedGemm.fusedMultiplyAdd && windows.plane[1].output < 8 && planes >= 8
            var scratch = arena.floats(count: planesPerVector ? 8 * (inCount + outCount) : 0) { _ in }
            let out = xv.withUnsafeBufferPointer { xp in
                scratch.withUnsafeMutableBufferPointer { sp in
                    arena.floats(count: count) { op in
                        guard let x = xp.baseAddress, let o = op.baseAddress else { return }
                        pool2D(x, o, planes: planes, windows, scratch: planesPerVector ? sp.baseAddress : nil)
                    }
                }
            }
            arena.recycle(scratch)
            outputs.append(.tensor(Tensor(shape: outShape, data: .float(out))))
            return
        }
        let planes = try Shapes.count(Array(x.shape.prefix(2)), op: mode.rawValue)
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
        outputs.append(.tensor(Tensor(shape: outShape, data: .float(out))))
        if wantsIndices { outputs.append(.tensor(Tensor(shape: outShape, data: .int64(indices)))) }
    }

    /// Pooling over two spatial axes in C (`nj_pool2d`), from the windows resolved for this input
    /// shape. Each output reads its taps in the tap table's order (rows, then columns within a row),
    /// so sums, ties and NaN come out as in the general path: the first tap read wins a max until a
    /// larger one comes, a window with no input tap is the lowest float, and an average divides by
    /// the taps inside the input, or inside the padding too with `count_include_pad` (never those of
    /// a ceil-mode window past the padding).
    private func pool2D(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, planes: Int,
                        _ w: PoolWindows, scratch: UnsafeMutablePointer<Float>?) {
        let ay = w.plane[0], ax = w.plane[1]
        w.divisors.withUnsafeBufferPointer { dp in
            let divisor = mode == .average ? dp.baseAddress : nil
            if let scratch {
                nj_pool2d_planes8(x, out, planes, w.inCount, w.outCount, w.tapStart, w.taps, divisor, scratch)
            } else if BlockedGemm.fusedMultiplyAdd {
                nj_pool2d_avx2(x, out, planes, ay.input, ax.input, ay.output, ax.output, w.tapStart, w.taps, divisor,
                               w.rowFirst, w.rowTaps, w.columnFirst, ay.dilation, ax.dilation,
                               w.interior.lowerBound, w.interior.upperBound, ax.kernel, ax.stride)
            } else {
                nj_pool2d(x, out, planes, ay.input, ax.input, ay.output, ax.output, w.tapStart, w.taps, divisor)
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

/// `GlobalAveragePool` and `GlobalMaxPool`: one value per channel over all spatial axes. A plane's
/// sum runs in order from zero (its max keeps the first of equals), then divides by the plane size.
struct GlobalPoolKernel: SingleOutputArenaKernel {
    let average: Bool
    var op: String { average ? "GlobalAveragePool" : "GlobalMaxPool" }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: op).tensor(0)
        try Shapes.check(x, op: op)
        guard x.shape.count >= 3 else { throw .invalidArgument("\(op): input \(x.shape) must be [N, C, spatial…]") }
        let planes = try WindowGeometry.count(x.shape[..<2], op: op)
        let size = try WindowGeometry.count(x.shape[2...], op: op)
        let shape = arena.shape(rank: x.shape.count) { $0 < 2 ? x.shape[$0] : 1 }
        func pooled<T: BinaryFloatingPoint>(_ plane: UnsafeBufferPointer<T>) -> T {
            if average { return size == 0 ? T.nan : plane.reduce(0, +) / T(size) }
            return plane.max() ?? -T.infinity
        }
        switch x.data {
        case .float(let v):
            let out = v.withUnsafeBufferPointer { vp in
                arena.floats(count: planes) { op in
                    for p in 0..<planes { op[p] = pooled(UnsafeBufferPointer(rebasing: vp[(p * size)..<((p + 1) * size)])) }
                }
            }
            return .tensor(Tensor(shape: shape, data: .float(out)))
        case .double(let v):
            let out = v.withUnsafeBufferPointer { vp in
                (0..<planes).map { p in pooled(UnsafeBufferPointer(rebasing: vp[(p * size)..<((p + 1) * size)])) }
            }
            return .tensor(Tensor(shape: shape, data: .double(out)))
        default: throw .invalidArgument("\(op): element type \(x.dataType.rawValue) is not supported")
        }
    }
}
