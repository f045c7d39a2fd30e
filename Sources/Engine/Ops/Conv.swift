import CEngineKernels
import NightjarCore

/// `Conv` on float tensors `[N, C, D1, …, Dn]` with any number of spatial axes, groups, strides,
/// dilations and padding. Each group is lowered to one GEMM (im2col): the weights
/// `[M/group, C/group · k1 ⋯ kn]` times the unfolded input `[C/group · k1 ⋯ kn, D1' ⋯ Dn']`, the
/// lowering of MLAS's im2col path, so each output is summed in the order and chunks MLAS uses.
/// Small images are unfolded side by side so one product covers several (`imagesPerProduct`);
/// each output's sum is unchanged by that. The bias is added after the whole sum, as MLAS adds
/// it; with `relu` (merged at load from a following `Relu` node, `GraphFusion`) Relu is applied in
/// the same pass. With `maxPool` (and `batchNorm`) merged from a following 2 × 2 MaxPool of stride 2
/// (and BatchNormalization) a short-k Conv pools each pair of output rows as it computes them.
struct ConvKernel: SingleOutputArenaKernel {
    let geometry: WindowGeometry
    let group: Int
    var relu = false
    /// A following MaxPool (2 × 2, stride 2, no padding) and BatchNormalization merged into this step;
    /// the step's inputs are then the Conv's three (an omitted bias as nil) and BatchNormalization's four.
    private(set) var maxPool: PoolKernel?
    private(set) var batchNorm: BatchNormalizationKernel?
    /// The axes and tap lists of the last input shape.
    let windowCache = WindowCache<ConvWindows>()

    init(_ a: NodeAttributes) throws(NightjarError) {
        geometry = try WindowGeometry(a, kernelRequired: false, allowCeil: false)
        group = try a.int("group", default: 1)
        guard group >= 1 else { throw a.invalid("group", "must be at least 1, got \(group)") }
    }

    /// This Conv followed by Relu.
    func withRelu() -> ConvKernel {
        var fused = self
        fused.relu = true
        return fused
    }

    /// This Conv followed by `pool`, a MaxPool that `poolsPairs` accepts, and then by `batchNorm`.
    func withMaxPool(_ pool: PoolKernel, then batchNorm: BatchNormalizationKernel?) -> ConvKernel {
        var fused = self
        fused.maxPool = pool
        fused.batchNorm = batchNorm
        return fused
    }

    /// Whether `pool` is the MaxPool the pooled path computes: 2 × 2 windows of stride 2 without
    /// padding or dilation, no indices, floor mode.
    static func poolsPairs(_ pool: PoolKernel) -> Bool {
        let g = pool.geometry
        return pool.mode == .max && !pool.wantsIndices && g.kernelShape == [2, 2] && g.strides == [2, 2]
            && g.pads.allSatisfy { $0 == 0 } && g.dilations.allSatisfy { $0 == 1 } && !g.ceilMode
            && (g.autoPad == .notSet || g.autoPad == .valid)
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let (value, pooled) = try convolution(inputs, arena: &arena)
        guard let maxPool, !pooled else { return value }
        // Inputs the pooled path does not take: the merged nodes one after another.
        var out = try Self.single(maxPool.run([value], arena: &arena))
        arena.recycle(value)
        if let batchNorm {
            guard inputs.count == 7 else { throw .invalidArgument("Conv: the merged BatchNormalization expects four parameters") }
            let normalized = try batchNorm.output([out] + inputs[3...], arena: &arena)
            arena.recycle(out)
            out = normalized
        }
        return out
    }

    private static func single(_ values: [Value]) throws(NightjarError) -> Value {
        guard let first = values.first else { throw .corrupt("a merged Conv's MaxPool produced no output") }
        return first
    }

    /// The Conv's output, or with `maxPool` merged and a short k the pooled (and normalized)
    /// output, with whether it is pooled.
    private func convolution(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> (Value, Bool) {
        let args = KernelInputs(values: inputs, op: "Conv")
        let x = try args.tensor(0), w = try args.tensor(1)
        let b: Tensor? = inputs.count > 2 && inputs[2] != nil ? try args.tensor(2) : nil
        try Shapes.check(x, op: "Conv")
        try Shapes.check(w, op: "Conv")
        if let b { try Shapes.check(b, op: "Conv") }
        guard case .float(let xv) = x.data, case .float(let wv) = w.data else {
            throw .invalidArgument("Conv: element types \(x.dataType.rawValue) and \(w.dataType.rawValue) are not supported (float only)")
        }
        guard x.shape.count >= 3, w.shape.count == x.shape.count else {
            throw .invalidArgument("Conv: input \(x.shape) and weights \(w.shape) must both be [N, C, spatial…] of the same rank")
        }
        let images = x.shape[0], channels = x.shape[1], filters = w.shape[0], groupChannels = w.shape[1]
        let (grouped, overflow) = groupChannels.multipliedReportingOverflow(by: group)
        guard !overflow, grouped == channels, filters % group == 0, filters > 0 else {
            throw .invalidArgument("Conv: weights \(w.shape) with group \(group) do not fit an input of \(channels) channels")
        }
        var bias: [Float]?
        if let b {
            guard case .float(let bv) = b.data, bv.count == filters else {
                throw .invalidArgument("Conv: bias of shape \(b.shape) must hold \(filters) floats")
            }
            bias = bv
        }
        let windows = try windowCache.entry(spatial: x.shape[2...], kernel: w.shape[...]) { () throws(NightjarError) in
            try ConvWindows(geometry, input: x.shape, weights: w.shape, group: group)
        }
        let axes = windows.axes, outCount = windows.outCount, inCount = windows.inCount, taps = windows.taps
        // Rows and columns for the 2-D paths (a 1-D input is one row); empty for more spatial axes.
        let plane = windows.plane
        let outShape = arena.shape(rank: x.shape.count) { $0 == 0 ? images : $0 == 1 ? filters : axes[$0 - 2].output }
        let depth = groupChannels * taps  // the GEMM's k
        let groupFilters = filters / group
        let count = try Shapes.count(outShape, op: "Conv")
        // One channel and one filter per group: a one-row product per group would be all overhead.
        if plane.count == 2, BlockedGemm.fusedMultiplyAdd, groupChannels == 1, groupFilters == 1,
           BlockedGemm.chunk(n: outCount, k: depth) >= depth {
            let out = Self.depthwise(xv, wv, bias, planes: images * channels, channels: channels, count: count,
                                     windows, relu: relu, arena: &arena)
            return (.tensor(Tensor(shape: outShape, data: .float(out))), false)
        }
        // A 1×1 window without stride or padding reads the input as it lies: no unfolding needed.
        let direct = windows.direct
        // A short k (a first layer): the unfolded matrix would be as large as the work it feeds.
        if plane.count == 2, BlockedGemm.fusedMultiplyAdd, !direct, depth <= Self.shortDepth, plane[1].output >= 8,
           BlockedGemm.chunk(n: outCount, k: depth) >= depth {
            if maxPool != nil, axes.count == 2, plane[0].output >= 2 {
                var scale: (scale: [Float], shift: [Float])?
                if let batchNorm { scale = try batchNorm.folded(inputs, first: 3, channels: filters, arena: &arena) }
                let pooledShape = arena.shape(rank: 4) { $0 == 0 ? images : $0 == 1 ? filters : axes[$0 - 2].output / 2 }
                let out = Self.pooledFromPaddedImages(xv, wv, bias, images: images, channels: channels, filters: filters,
                                                      group: group, count: try Shapes.count(pooledShape, op: "Conv"),
                                                      plane[0], plane[1], relu: relu, scale: scale, arena: &arena)
                if let scale { arena.recycle(scale.scale); arena.recycle(scale.shift) }
                return (.tensor(Tensor(shape: pooledShape, data: .float(out))), true)
            }
            let out = Self.fromPaddedImages(xv, wv, bias, images: images, channels: channels, filters: filters, group: group,
                                            count: count, plane[0], plane[1], relu: relu, arena: &arena)
            return (.tensor(Tensor(shape: outShape, data: .float(out))), false)
        }
        // A 4 × 4 output plane (a late layer) with AVX-512, one vector per filter's plane: the unfolded
        // matrix, the GEMM's packing of it and the scatter cost more than the product.
        if plane.count == 2, Self.avx512, !direct, plane[0].output == 4, plane[1].output == 4, plane[1].stride <= 2,
           depth <= 512, BlockedGemm.chunk(n: outCount, k: depth) >= depth {
            let out = Self.fromPaddedImages(xv, wv, bias, images: images, channels: channels, filters: filters, group: group,
                                            count: count, plane[0], plane[1], relu: relu, planeOf16: true, arena: &arena)
            return (.tensor(Tensor(shape: outShape, data: .float(out))), false)
        }
        let block = Self.imagesPerProduct(images: images, outputs: outCount, depth: depth)
        // Scratch: the unfolded input of a block of images, every element of which is written
        // before it is read, and with several images per product, that product before it is scattered.
        let colCount = direct && block == 1 ? 0 : try Shapes.count([depth, block, outCount], op: "Conv")
        let productCount = block == 1 ? 0 : try Shapes.count([groupFilters, block, outCount], op: "Conv")
        let planar = plane.count == 2 && !direct
        // The AVX2 unfolding reads a copy of the images with their padding written out.
        let paddedCount = planar && BlockedGemm.fusedMultiplyAdd
            ? nj_im2col_2d_padded_size(block, groupChannels, plane[0].kernel, plane[1].kernel, plane[0].stride, plane[1].stride,
                                       plane[0].dilation, plane[1].dilation, plane[0].output, plane[1].output)
            : 0
        // One buffer: the unfolded input (with the 8 floats of room the AVX2 unfolding's last
        // vector may write past it), then the product, then the padded copy.
        let colRoom = colCount + (paddedCount > 0 ? 8 : 0)
        var scratch = arena.floats(count: colRoom + productCount + paddedCount) { _ in }
        let table = windows.tapTable
        let out = xv.withUnsafeBufferPointer { xp in
            wv.withUnsafeBufferPointer { wp in
                scratch.withUnsafeMutableBufferPointer { sp in
                    (bias ?? []).withUnsafeBufferPointer { bp in
                        arena.floats(count: count) { op in
                            guard let xa = xp.baseAddress, let wa = wp.baseAddress, let oa = op.baseAddress else {
                                for i in op.indices { op[i] = 0 }
                                return
                            }
                            var first = 0
                            while first < images {
                                let n = min(block, images - first)
                                for g in 0..<group {
                                    let input = xa + (first * channels + g * groupChannels) * inCount
                                    let destination = oa + (first * filters + g * groupFilters) * outCount
                                    var unfolded = input
                                    if colCount > 0, let ca = sp.baseAddress {
                                        if direct {
                                            Self.gather(input, into: ca, images: n, imageStride: channels * inCount,
                                                        channels: groupChannels, planeSize: inCount)
                                        } else if planar, paddedCount > 0, let sa = sp.baseAddress {
                                            nj_im2col_2d_avx2(input, channels * inCount, n, groupChannels, plane[0].input, plane[1].input,
                                                              plane[0].kernel, plane[1].kernel, plane[0].stride, plane[1].stride,
                                                              plane[0].dilation, plane[1].dilation, plane[0].padBegin, plane[1].padBegin,
                                                              plane[0].output, plane[1].output, ca, sa + colRoom + productCount)
                                        } else if planar {
                                            nj_im2col_2d(input, channels * inCount, n, groupChannels, plane[0].input, plane[1].input,
                                                         plane[0].kernel, plane[1].kernel, plane[0].stride, plane[1].stride,
                                                         plane[0].dilation, plane[1].dilation, plane[0].padBegin, plane[1].padBegin,
                                                         plane[0].output, plane[1].output, ca)
                                        } else {
                                            for i in 0..<n {
                                                Self.unfold(input + i * channels * inCount, into: ca + i * outCount,
                                                            rowLength: n * outCount, outputs: outCount, channels: groupChannels,
                                                            planeSize: inCount, table: table)
                                            }
                                        }
                                        unfolded = UnsafePointer(ca)
                                    }
                                    let weights = wa + g * groupFilters * depth
                                    if block > 1, let pa = sp.baseAddress.map({ $0 + colRoom }) {
                                        BlockedGemm.multiply(weights, unfolded, pa, m: groupFilters, n: n * outCount, k: depth)
                                        nj_scatter_bias_relu(pa, groupFilters, n, outCount, destination, filters * outCount,
                                                             bias == nil ? nil : bp.baseAddress.map { $0 + g * groupFilters },
                                                             relu ? 1 : 0)
                                    } else {
                                        BlockedGemm.multiply(weights, unfolded, destination, m: groupFilters, n: outCount, k: depth)
                                    }
                                }
                                // One image per product: one bias per filter's plane, then Relu, in
                                // one pass as the separate nodes would round.
                                if block == 1 && (bias != nil || relu) {
                                    nj_add_bias_relu(oa + first * filters * outCount, filters, outCount,
                                                     bias == nil ? nil : bp.baseAddress, 1, relu ? 1 : 0)
                                }
                                first += n
                            }
                        }
                    }
                }
            }
        }
        arena.recycle(scratch)
        return (.tensor(Tensor(shape: outShape, data: .float(out))), false)
    }

    /// A depthwise Conv (one channel and one filter per group) output by output (`nj_depthwise_conv2d_fma`):
    /// as im2col it is a one-row product per group, all unfolding and per-call work. The same bits,
    /// which is why the caller takes this path only when k is one chunk.
    static func depthwise(_ x: [Float], _ w: [Float], _ bias: [Float]?, planes: Int, channels: Int, count: Int,
                          _ windows: ConvWindows, relu: Bool, arena: inout TensorArena) -> [Float] {
        let ay = windows.plane[0], ax = windows.plane[1]
        let inCount = ay.input * ax.input, outCount = ay.output * ax.output, taps = ay.kernel * ax.kernel
        // Rows shorter than a vector: eight channels per vector, each lane one plane, through scratch.
        let planesPerVector = channels % 8 == 0 && ax.output < 8
        var scratch = arena.floats(count: planesPerVector ? 8 * (inCount + outCount) + channels * taps : 0) { _ in }
        let out = x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                (bias ?? []).withUnsafeBufferPointer { bp in
                    scratch.withUnsafeMutableBufferPointer { sp in
                        arena.floats(count: count) { op in
                            guard let xa = xp.baseAddress, let wa = wp.baseAddress, let oa = op.baseAddress else { return }
                            if planesPerVector, let sa = sp.baseAddress {
                                nj_depthwise_conv2d_planes8(xa, wa, bias == nil ? nil : bp.baseAddress, oa, planes, channels,
                                                            inCount, outCount, taps, windows.tapStart, windows.inputAt,
                                                            windows.weightAt, relu ? 1 : 0, sa)
                            } else {
                                nj_depthwise_conv2d_fma(xa, wa, bias == nil ? nil : bp.baseAddress, oa, planes, channels,
                                                        inCount, outCount, taps, windows.tapStart, windows.inputAt,
                                                        windows.weightAt, relu ? 1 : 0)
                            }
                        }
                    }
                }
            }
        }
        arena.recycle(scratch)
        return out
    }

    /// The longest k (input channels per group × taps) computed without unfolding: a first layer's
    /// one or three channels under a 3 × 3 window. Beyond it the GEMM's larger tiles win.
    static let shortDepth = 32

    /// Whether this CPU runs AVX-512F, which `nj_conv2d_plane16_avx512` needs.
    static let avx512 = nj_cpu_has_avx512f() != 0

    /// A Conv with a short k, straight from a padded copy of each image (`nj_conv2d_direct_fma`): its
    /// unfolded matrix would be as large as the work it feeds. With `planeOf16`, a 4 × 4 output
    /// plane one vector per filter (`nj_conv2d_plane16_avx512`). The same bits, which is why the
    /// caller takes this path only when k is one chunk.
    static func fromPaddedImages(_ x: [Float], _ w: [Float], _ bias: [Float]?, images: Int, channels: Int, filters: Int,
                                 group: Int, count: Int, _ ay: WindowGeometry.Axis, _ ax: WindowGeometry.Axis,
                                 relu: Bool, planeOf16: Bool = false, arena: inout TensorArena) -> [Float] {
        let groupChannels = channels / group, groupFilters = filters / group
        let inCount = ay.input * ax.input, outCount = ay.output * ax.output
        let depth = groupChannels * ay.kernel * ax.kernel
        var padded = arena.floats(count: nj_im2col_2d_padded_size(1, groupChannels, ay.kernel, ax.kernel, ay.stride, ax.stride,
                                                                  ay.dilation, ax.dilation, ay.output, ax.output)) { _ in }
        let out = x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                (bias ?? []).withUnsafeBufferPointer { bp in
                    padded.withUnsafeMutableBufferPointer { pp in
                        arena.floats(count: count) { op in
                            guard let xa = xp.baseAddress, let wa = wp.baseAddress, let pa = pp.baseAddress,
                                  let oa = op.baseAddress else { return }
                            for g in 0..<group {
                                let input = xa + g * groupChannels * inCount, weights = wa + g * groupFilters * depth
                                let b = bias == nil ? nil : bp.baseAddress.map { $0 + g * groupFilters }
                                let output = oa + g * groupFilters * outCount
                                if planeOf16 {
                                    nj_conv2d_plane16_avx512(input, channels * inCount, images, groupChannels, ay.input, ax.input,
                                                             weights, b, groupFilters, output, filters * outCount,
                                                             ay.kernel, ax.kernel, ay.stride, ax.stride, ay.dilation, ax.dilation,
                                                             ay.padBegin, ax.padBegin, relu ? 1 : 0, pa)
                                } else {
                                    nj_conv2d_direct_fma(input, channels * inCount, images, groupChannels, ay.input, ax.input,
                                                         weights, b, groupFilters, output, filters * outCount,
                                                         ay.kernel, ax.kernel, ay.stride, ax.stride, ay.dilation, ax.dilation,
                                                         ay.padBegin, ax.padBegin, ay.output, ax.output, relu ? 1 : 0, pa)
                                }
                            }
                        }
                    }
                }
            }
        }
        arena.recycle(padded)
        return out
    }

    /// `fromPaddedImages` with each pair of output rows pooled 2 × 2 with stride 2 as they are computed
    /// (`nj_conv2d_direct_maxpool2_fma`), then normalized with `scale` when given: the output of the
    /// Conv, MaxPool and BatchNormalization nodes, bit for bit, without the Conv's going to memory.
    static func pooledFromPaddedImages(_ x: [Float], _ w: [Float], _ bias: [Float]?, images: Int, channels: Int, filters: Int,
                                       group: Int, count: Int, _ ay: WindowGeometry.Axis, _ ax: WindowGeometry.Axis,
                                       relu: Bool, scale: (scale: [Float], shift: [Float])?,
                                       arena: inout TensorArena) -> [Float] {
        let groupChannels = channels / group, groupFilters = filters / group
        let inCount = ay.input * ax.input, pooledCount = (ay.output / 2) * (ax.output / 2)
        let depth = groupChannels * ay.kernel * ax.kernel
        var padded = arena.floats(count: nj_im2col_2d_padded_size(1, groupChannels, ay.kernel, ax.kernel, ay.stride, ax.stride,
                                                                  ay.dilation, ax.dilation, ay.output, ax.output)) { _ in }
        let out = x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                (bias ?? []).withUnsafeBufferPointer { bp in
                    (scale?.scale ?? []).withUnsafeBufferPointer { sp in
                        (scale?.shift ?? []).withUnsafeBufferPointer { tp in
                            padded.withUnsafeMutableBufferPointer { pp in
                                arena.floats(count: count) { op in
                                    guard let xa = xp.baseAddress, let wa = wp.baseAddress, let pa = pp.baseAddress,
                                          let oa = op.baseAddress else { return }
                                    for g in 0..<group {
                                        let f = g * groupFilters
                                        nj_conv2d_direct_maxpool2_fma(
                                            xa + g * groupChannels * inCount, channels * inCount, images, groupChannels,
                                            ay.input, ax.input, wa + f * depth, bias == nil ? nil : bp.baseAddress.map { $0 + f },
                                            groupFilters, oa + f * pooledCount, filters * pooledCount,
                                            ay.kernel, ax.kernel, ay.stride, ax.stride, ay.dilation, ax.dilation,
                                            ay.padBegin, ax.padBegin, ay.output, ax.output, relu ? 1 : 0,
                                            scale == nil ? nil : sp.baseAddress.map { $0 + f },
                                            scale == nil ? nil : tp.baseAddress.map { $0 + f }, pa)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        arena.recycle(padded)
        return out
    }

    /// Columns a product should have for the GEMM kernel to run on full tiles rather than on the
    /// per-call edges of a small image: a late layer's 4×4 plane alone is a 16-column product.
    static let columnsPerProduct = 1024

    /// How many images one product covers. Several only when that leaves every output's sum in
    /// the same chunks of k as a one-image product (the chunk length depends on the product's
    /// width; see `BlockedGemm.chunk`): a row's result must not depend on the rows batched with it.
    static func imagesPerProduct(images: Int, outputs: Int, depth: Int) -> Int {
        guard outputs > 0, depth > 0 else { return 1 }
        let block = max(1, min(images, columnsPerProduct / outputs))
        guard block > 1 else { return 1 }
        // The chunk length only grows as the width shrinks, so equal ends mean equal for every width between.
        let chunks = { (n: Int) in min(BlockedGemm.chunk(n: n, k: depth), depth) }
        return chunks(outputs) == chunks(block * outputs) ? block : 1
    }

    /// The input of `images` images laid out as a 1×1 convolution's product reads it: row `c` of
    /// `col` holds channel `c` of each image in turn.
    static func gather(_ x: UnsafePointer<Float>, into col: UnsafeMutablePointer<Float>, images: Int, imageStride: Int,
                       channels: Int, planeSize: Int) {
        for c in 0..<channels {
            for i in 0..<images {
                (col + (c * images + i) * planeSize).update(from: x + i * imageStride + c * planeSize, count: planeSize)
            }
        }
    }

    /// im2col from the tap table, for other than two spatial axes: row `channel · taps + tap` of
    /// `col`, `rowLength` apart, holds for each of the `outputs` positions the input element that
    /// tap reads (zero in the padding).
    static func unfold(_ x: UnsafePointer<Float>, into col: UnsafeMutablePointer<Float>, rowLength: Int, outputs: Int,
                       channels: Int, planeSize: Int, table: [Int]) {
        let taps = table.count / max(outputs, 1)
        table.withUnsafeBufferPointer { tp in
            for c in 0..<channels {
                let plane = x + c * planeSize
                // One image: a channel's rows are contiguous, one loop over the whole table.
                if rowLength == outputs {
                    let dst = col + c * tp.count
                    for i in 0..<tp.count {
                        let offset = tp[i]
                        dst[i] = offset >= 0 ? plane[offset] : 0
                    }
                    continue
                }
                for t in 0..<taps {
                    let dst = col + (c * taps + t) * rowLength
                    let row = t * outputs
                    for i in 0..<outputs {
                        let offset = tp[row + i]
                        dst[i] = offset >= 0 ? plane[offset] : 0
                    }
                }
            }
        }
    }
}
