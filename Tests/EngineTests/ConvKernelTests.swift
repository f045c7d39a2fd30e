@testable import Engine
import CEngineKernels
import NightjarCore
import ONNXProto
import Testing

/// Conv takes several paths — im2col products over one or several images, the unfolding for
/// narrow rows, a direct kernel for a short k (8 or 16 columns per vector), a depthwise kernel — and
/// each must give what one chain of fused multiply-adds per output gives (the im2col GEMM's
/// rounding, which is how outputs stay within 1e-5 of onnxruntime's MLAS), then the bias, then Relu.
@Suite struct ConvKernelTests {
    struct Shape: Sendable {
        var channels: Int, filters: Int, group = 1, height: Int, width: Int
        var kernel = [3, 3], strides = [1, 1], pads = [1, 1, 1, 1], dilations = [1, 1]
        var images = 3, bias = true, relu = false

        var outH: Int { (height + pads[0] + pads[2] - dilations[0] * (kernel[0] - 1) - 1) / strides[0] + 1 }
        var outW: Int { (width + pads[1] + pads[3] - dilations[1] * (kernel[1] - 1) - 1) / strides[1] + 1 }

        /// Output (image `i`, filter `f`, `oy`, `ox`) as one chain of fused multiply-adds over
        /// k = (channel, ky, kx) in order, the padding's taps as zeros as the product sums them,
        /// then the bias, then Relu.
        func convolved(_ x: [Float], _ w: [Float], _ b: [Float], _ i: Int, _ f: Int, _ oy: Int, _ ox: Int) -> Float {
            let groupChannels = channels / group, g = f / (filters / group)
            var sum: Float = 0
            for c in 0..<groupChannels {
                for ky in 0..<kernel[0] {
                    for kx in 0..<kernel[1] {
                        let iy = oy * strides[0] - pads[0] + ky * dilations[0]
                        let ix = ox * strides[1] - pads[1] + kx * dilations[1]
                        let inside = iy >= 0 && iy < height && ix >= 0 && ix < width
                        let v = inside ? x[((i * channels + g * groupChannels + c) * height + iy) * width + ix] : 0
                        sum.addProduct(w[((f * groupChannels + c) * kernel[0] + ky) * kernel[1] + kx], v)
                    }
                }
            }
            if bias { sum += b[f] }
            if relu { sum = sum <= 0 ? 0 : sum }
            return sum
        }
    }

    static let shapes: [Shape] = [
        Shape(channels: 1, filters: 8, height: 16, width: 16, relu: true),                      // short k, 16 columns
        Shape(channels: 3, filters: 5, height: 9, width: 11),                                   // short k, 11 columns
        Shape(channels: 2, filters: 11, height: 7, width: 37, strides: [1, 2], pads: [0, 2, 1, 0]),  // stride 2, ragged
        Shape(channels: 1, filters: 3, height: 12, width: 40, strides: [2, 3], dilations: [2, 1]),   // gathered columns
        Shape(channels: 2, filters: 9, height: 5, width: 60, strides: [1, 3], images: 2),       // gathered, 16 lanes
        Shape(channels: 3, filters: 2, height: 6, width: 20, strides: [2, 2], relu: true),      // stride 2, 8 lanes
        Shape(channels: 8, filters: 16, height: 8, width: 8, strides: [2, 2], relu: true),      // narrow rows, k = 72
        Shape(channels: 3, filters: 4, height: 6, width: 9, pads: [0, 0, 0, 0], images: 5),     // rows of 7, stride 1
        Shape(channels: 2, filters: 3, height: 5, width: 5, strides: [1, 3]),                   // rows of 2, stride 3
        Shape(channels: 16, filters: 16, height: 2, width: 2, kernel: [1, 1], pads: [0, 0, 0, 0], images: 5),  // 1×1
        Shape(channels: 16, filters: 16, group: 16, height: 2, width: 2, images: 4),            // depthwise, tiny planes
        Shape(channels: 16, filters: 16, group: 16, height: 4, width: 4, relu: true),           // depthwise, 8 planes per vector
        Shape(channels: 8, filters: 8, group: 8, height: 7, width: 9, strides: [2, 2], bias: false),  // the same, stride 2
        Shape(channels: 6, filters: 6, group: 6, height: 9, width: 20, dilations: [1, 2], relu: true),  // depthwise, wide
        Shape(channels: 4, filters: 6, group: 2, height: 10, width: 10, pads: [2, 0, 0, 1], bias: false),  // groups
        Shape(channels: 5, filters: 4, height: 6, width: 30, kernel: [3, 5], pads: [1, 2, 1, 2]),  // k = 75, wide
        Shape(channels: 3, filters: 4, height: 4, width: 4),                                    // a 4 × 4 plane, one vector (AVX-512)
        Shape(channels: 5, filters: 7, height: 5, width: 8, strides: [2, 2]),                   // rows of 4, odd row count, stride 2
        Shape(channels: 4, filters: 6, group: 2, height: 8, width: 8, strides: [2, 2], relu: true),  // a 4 × 4 plane, groups
        Shape(channels: 2, filters: 9, height: 9, width: 6, dilations: [2, 2], bias: false),    // rows of 4, dilated
    ]

    @Test(arguments: shapes.indices)
    func everyPathRoundsLikeOneFusedChainPerOutput(_ index: Int) throws {
        let s = Self.shapes[index]
        var rng = SplitMix64(seed: UInt64(index + 7))
        let groupChannels = s.channels / s.group
        let taps = s.kernel[0] * s.kernel[1]
        let x = (0..<(s.images * s.channels * s.height * s.width)).map { _ in Float.random(in: -3...3, using: &rng) }
        let w = (0..<(s.filters * groupChannels * taps)).map { _ in Float.random(in: -1...1, using: &rng) }
        let b = (0..<s.filters).map { _ in Float.random(in: -1...1, using: &rng) }

        var node = Onnx_NodeProto()
        node.opType = "Conv"
        for (name, values) in [("kernel_shape", s.kernel), ("strides", s.strides), ("pads", s.pads), ("dilations", s.dilations)] {
            node.addInts(name, values)
        }
        node.addInt("group", s.group)
        var kernel = try ConvKernel(NodeAttributes(node))
        if s.relu { kernel = kernel.withRelu() }
        var inputs: [Value?] = [
            .tensor(Tensor(shape: [s.images, s.channels, s.height, s.width], data: .float(x))),
            .tensor(Tensor(shape: [s.filters, groupChannels] + s.kernel, data: .float(w))),
        ]
        if s.bias { inputs.append(.tensor(Tensor(shape: [s.filters], data: .float(b)))) }
        guard case .tensor(let result)? = try kernel.run(inputs).first, case .float(let got) = result.data else {
            Issue.record("Conv gave no float tensor")
            return
        }

        let (outH, outW) = (s.outH, s.outW)
        #expect(result.shape == [s.images, s.filters, outH, outW])
        var expected: [Float] = []
        for i in 0..<s.images {
            for f in 0..<s.filters {
                for oy in 0..<outH {
                    for ox in 0..<outW { expected.append(s.convolved(x, w, b, i, f, oy, ox)) }
                }
            }
        }
        #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "shape \(index): outputs differ from the fused chains")
    }

    /// The portable unfolding (CPUs without AVX2, which the test above cannot reach on one that has
    /// it) writes what the AVX2 one writes.
    @Test(arguments: shapes.indices)
    func portableUnfoldingMatchesTheVectorOne(_ index: Int) {
        guard BlockedGemm.fusedMultiplyAdd else { return }
        let s = Self.shapes[index]
        let groupChannels = s.channels / s.group
        var rng = SplitMix64(seed: UInt64(index + 70))
        let x = (0..<(s.images * s.channels * s.height * s.width)).map { _ in Float.random(in: -3...3, using: &rng) }
        let (outH, outW) = (s.outH, s.outW)
        let count = groupChannels * s.kernel[0] * s.kernel[1] * s.images * outH * outW
        var portable = [Float](repeating: .nan, count: count), vector = [Float](repeating: .nan, count: count + 8)
        var padded = [Float](repeating: .nan, count: nj_im2col_2d_padded_size(
            s.images, groupChannels, s.kernel[0], s.kernel[1], s.strides[0], s.strides[1], s.dilations[0], s.dilations[1], outH, outW))
        nj_im2col_2d(x, s.channels * s.height * s.width, s.images, groupChannels, s.height, s.width, s.kernel[0], s.kernel[1],
                     s.strides[0], s.strides[1], s.dilations[0], s.dilations[1], s.pads[0], s.pads[1], outH, outW, &portable)
        nj_im2col_2d_avx2(x, s.channels * s.height * s.width, s.images, groupChannels, s.height, s.width, s.kernel[0], s.kernel[1],
                          s.strides[0], s.strides[1], s.dilations[0], s.dilations[1], s.pads[0], s.pads[1], outH, outW,
                          &vector, &padded)
        #expect(portable.map(\.bitPattern) == vector.prefix(count).map(\.bitPattern), "shape \(index): the unfoldings differ")
    }

    /// A short-k Conv with a 2 × 2 MaxPool of stride 2 (and BatchNormalization) merged pools each
    /// pair of output rows as it computes them: what the three nodes give one after another.
    static let pooledShapes: [Shape] = [
        Shape(channels: 1, filters: 8, height: 16, width: 16, relu: true),                    // the CNN's first layer
        Shape(channels: 3, filters: 5, height: 9, width: 19, relu: true),                     // odd rows and columns dropped
        Shape(channels: 2, filters: 12, height: 12, width: 40, strides: [1, 2], pads: [0, 1, 1, 0]),  // no Relu, stride 2
        Shape(channels: 4, filters: 6, group: 2, height: 10, width: 18, bias: false, relu: true),     // groups, no bias
    ]

    @Test(arguments: pooledShapes.indices, [false, true])
    func mergedMaxPoolGivesTheNodesOutputs(_ index: Int, normalized: Bool) throws {
        let s = Self.pooledShapes[index]
        var rng = SplitMix64(seed: UInt64(index + 31))
        let groupChannels = s.channels / s.group
        let taps = s.kernel[0] * s.kernel[1]
        var x = (0..<(s.images * s.channels * s.height * s.width)).map { _ in Float(Int.random(in: -6...6, using: &rng)) / 4 }
        x[5] = .nan
        let w = (0..<(s.filters * groupChannels * taps)).map { _ in Float(Int.random(in: -4...4, using: &rng)) / 4 }
        let b = (0..<s.filters).map { _ in Float.random(in: -1...1, using: &rng) }
        let norm = (0..<4).map { i in (0..<s.filters).map { _ in Float.random(in: i == 3 ? 0.1...2 : -1...1, using: &rng) } }

        func node(_ op: String, ints: [(String, [Int])], group: Int? = nil) -> Onnx_NodeProto {
            var node = Onnx_NodeProto()
            node.opType = op
            node.output = ["y"]
            for (name, values) in ints { node.addInts(name, values) }
            if let group { node.addInt("group", group) }
            return node
        }
        var conv = try ConvKernel(NodeAttributes(node("Conv", ints: [("kernel_shape", s.kernel), ("strides", s.strides),
                                                                      ("pads", s.pads), ("dilations", s.dilations)], group: s.group)))
        if s.relu { conv = conv.withRelu() }
        let pool = try PoolKernel(.max, NodeAttributes(node("MaxPool", ints: [("kernel_shape", [2, 2]), ("strides", [2, 2])])), opset: 19)
        #expect(ConvKernel.poolsPairs(pool))
        let batchNorm = normalized ? try BatchNormalizationKernel(NodeAttributes(node("BatchNormalization", ints: []))) : nil
        let merged = conv.withMaxPool(pool, then: batchNorm)
        var inputs: [Value?] = [
            .tensor(Tensor(shape: [s.images, s.channels, s.height, s.width], data: .float(x))),
            .tensor(Tensor(shape: [s.filters, groupChannels] + s.kernel, data: .float(w))),
            s.bias ? .tensor(Tensor(shape: [s.filters], data: .float(b))) : nil,
        ]
        if normalized { inputs += norm.map { .tensor(Tensor(shape: [s.filters], data: .float($0))) } }
        guard case .tensor(let result)? = try merged.run(inputs).first, case .float(let got) = result.data else {
            Issue.record("the merged Conv gave no float tensor")
            return
        }

        let (outH, outW) = (s.outH, s.outW)
        #expect(result.shape == [s.images, s.filters, outH / 2, outW / 2])
        func convolved(_ i: Int, _ f: Int, _ oy: Int, _ ox: Int) -> Float { s.convolved(x, w, b, i, f, oy, ox) }
        var expected: [Float] = []
        for i in 0..<s.images {
            for f in 0..<s.filters {
                for py in 0..<(outH / 2) {
                    for px in 0..<(outW / 2) {
                        // MaxPool's taps in order: the first, then each strictly larger one.
                        var best = convolved(i, f, 2 * py, 2 * px)
                        for (dy, dx) in [(0, 1), (1, 0), (1, 1)] {
                            let v = convolved(i, f, 2 * py + dy, 2 * px + dx)
                            best = v > best ? v : best
                        }
                        if normalized {
                            let scale = norm[0][f] / (norm[3][f] + 1e-5).squareRoot()
                            best = best * scale + (norm[1][f] - norm[2][f] * scale)
                        }
                        expected.append(best)
                    }
                }
            }
        }
        #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "shape \(index): outputs differ from the separate nodes'")
    }

    /// A 1-D Conv runs the 2-D paths as one row: the bits of the same Conv on a `[N, C, 1, L]` input,
    /// which the tests above hold to the fused chains.
    @Test(arguments: [(4, 8, 32, 5, 1, 2, 1, 1), (8, 12, 16, 3, 2, 1, 1, 1), (12, 16, 16, 3, 1, 0, 2, 4), (16, 16, 9, 3, 1, 1, 1, 16)])
    func oneSpatialAxisIsOneRow(_ c: (channels: Int, filters: Int, length: Int, kernel: Int, stride: Int, pad: Int,
                                      dilation: Int, group: Int)) throws {
        var rng = SplitMix64(seed: UInt64(c.length * 31 + c.kernel))
        let images = 3, groupChannels = c.channels / c.group
        let x = (0..<(images * c.channels * c.length)).map { _ in Float.random(in: -3...3, using: &rng) }
        let w = (0..<(c.filters * groupChannels * c.kernel)).map { _ in Float.random(in: -1...1, using: &rng) }
        let b = (0..<c.filters).map { _ in Float.random(in: -1...1, using: &rng) }
        func run(_ spatial: [Int], kernel: [Int], strides: [Int], pads: [Int], dilations: [Int]) throws -> [Float] {
            var node = Onnx_NodeProto()
            node.opType = "Conv"
            for (name, values) in [("kernel_shape", kernel), ("strides", strides), ("pads", pads), ("dilations", dilations)] {
                node.addInts(name, values)
            }
            node.addInt("group", c.group)
            let inputs: [Value?] = [
                .tensor(Tensor(shape: [images, c.channels] + spatial, data: .float(x))),
                .tensor(Tensor(shape: [c.filters, groupChannels] + kernel, data: .float(w))),
                .tensor(Tensor(shape: [c.filters], data: .float(b))),
            ]
            guard case .tensor(let t)? = try ConvKernel(NodeAttributes(node)).withRelu().run(inputs).first,
                  case .float(let v) = t.data else { return [] }
            return v
        }
        let row = try run([c.length], kernel: [c.kernel], strides: [c.stride], pads: [c.pad, c.pad], dilations: [c.dilation])
        let plane = try run([1, c.length], kernel: [1, c.kernel], strides: [1, c.stride], pads: [0, c.pad, 0, c.pad],
                            dilations: [1, c.dilation])
        #expect(!row.isEmpty && row.map(\.bitPattern) == plane.map(\.bitPattern))
    }
}
