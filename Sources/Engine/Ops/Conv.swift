import CEngineKernels
import NightjarCore

/// `Conv` on float tensors `[N, C, D1, …, Dn]` with any number of spatial axes, groups, strides,
/// dilations and padding. Each image and group is lowered to one GEMM (im2col): the weights
/// `[M/group, C/group · k1 ⋯ kn]` times the unfolded input `[C/group · k1 ⋯ kn, D1' ⋯ Dn']`, the
/// lowering of MLAS's im2col path, so each output is summed in the order and chunks MLAS uses.
/// The bias is added after the whole sum, as MLAS adds it; with `relu` (merged at load from a
/// following `Relu` node, `GraphFusion`) Relu is applied in the same pass.
struct ConvKernel: ArenaKernel {
    let geometry: WindowGeometry
    let group: Int
    var relu = false

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

    func run(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> [Value] {
        let args = KernelInputs(values: inputs, op: "Conv")
        let x = try args.tensor(0), w = try args.tensor(1)
        let b: Tensor? = inputs.count > 2 && inputs[2] != nil ? try args.tensor(2) : nil
        for t in [x, w] + (b.map { [$0] } ?? []) { try Shapes.check(t, op: "Conv") }
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
        let kernel = Array(w.shape.dropFirst(2))
        guard geometry.kernelShape.isEmpty || geometry.kernelShape == kernel else {
            throw .invalidArgument("Conv: kernel_shape \(geometry.kernelShape) differs from the weights' \(kernel)")
        }
        var bias: [Float]?
        if let b {
            guard case .float(let bv) = b.data, bv.count == filters else {
                throw .invalidArgument("Conv: bias of shape \(b.shape) must hold \(filters) floats")
            }
            bias = bv
        }
        let axes = try geometry.axes(input: x.shape, kernel: kernel, op: "Conv")
        let outShape = [images, filters] + axes.map(\.output)
        let outCount = try Shapes.count(axes.map(\.output), op: "Conv")
        let inCount = try Shapes.count(Array(x.shape.dropFirst(2)), op: "Conv")
        let taps = try Shapes.count(kernel, op: "Conv")
        let depth = groupChannels * taps  // the GEMM's k
        let groupFilters = filters / group
        let count = try Shapes.count(outShape, op: "Conv")
        // A 1×1 window without stride or padding reads the input as it lies: no unfolding needed.
        let direct = axes.allSatisfy { $0.kernel == 1 && $0.stride == 1 && $0.padBegin == 0 && $0.padEnd == 0 }
        let colCount = direct ? 0 : try Shapes.count([depth, outCount], op: "Conv")
        // Scratch for the unfolded input, every element of which `unfold` writes before it is read.
        var col = arena.floats(count: colCount) { _ in }
        let table = direct ? [] : try WindowGeometry.tapTable(axes, op: "Conv")
        let out = xv.withUnsafeBufferPointer { xp in
            wv.withUnsafeBufferPointer { wp in
                col.withUnsafeMutableBufferPointer { cp in
                    (bias ?? []).withUnsafeBufferPointer { bp in
                        arena.floats(count: count) { op in
                            guard let xa = xp.baseAddress, let wa = wp.baseAddress, let oa = op.baseAddress else {
                                for i in op.indices { op[i] = 0 }
                                return
                            }
                            for image in 0..<images {
                                for g in 0..<group {
                                    let input = xa + (image * channels + g * groupChannels) * inCount
                                    let product = oa + (image * filters + g * groupFilters) * outCount
                                    var unfolded = input
                                    if !direct, let ca = cp.baseAddress {
                                        Self.unfold(input, into: ca, channels: groupChannels, planeSize: inCount, table: table)
                                        unfolded = UnsafePointer(ca)
                                    }
                                    BlockedGemm.multiply(wa + g * groupFilters * depth, unfolded, product,
                                                         m: groupFilters, n: outCount, k: depth)
                                }
                                // One bias per filter's plane, then Relu, in one pass as the separate nodes would round.
                                if bias != nil || relu {
                                    nj_add_bias_relu(oa + image * filters * outCount, filters, outCount,
                                                     bias == nil ? nil : bp.baseAddress, 1, relu ? 1 : 0)
                                }
                            }
                        }
                    }
                }
            }
        }
        arena.recycle(col)
        return [.tensor(Tensor(shape: outShape, data: .float(out)))]
    }

    /// im2col: row `channel · taps + tap` of `col` holds, for every output position, the input
    /// element that tap reads (zero in the padding).
    static func unfold(_ x: UnsafePointer<Float>, into col: UnsafeMutablePointer<Float>, channels: Int, planeSize: Int, table: [Int]) {
        table.withUnsafeBufferPointer { tp in
            for c in 0..<channels {
                let plane = x + c * planeSize
                let dst = col + c * tp.count
                for i in 0..<tp.count {
                    let offset = tp[i]
                    dst[i] = offset >= 0 ? plane[offset] : 0
                }
            }
        }
    }
}
