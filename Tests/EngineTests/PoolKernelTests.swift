@testable import Engine
import NightjarCore
import ONNXProto
import Testing

/// Pooling over two spatial axes takes three paths — eight outputs of a row per vector, eight
/// planes per vector for rows too short to fill one, and output by output — and each must give
/// what plain loops over the window give: a max keeps the first tap inside the input until a
/// strictly larger one comes (so a NaN there stays), an average sums its taps in order from zero.
@Suite struct PoolKernelTests {
    struct Shape: Sendable {
        var average: Bool, planes: Int, height: Int, width: Int
        var kernel = [2, 2], strides = [2, 2], pads = [0, 0, 0, 0], dilations = [1, 1]
        var ceil = false, countIncludePad = false
    }

    static let shapes: [Shape] = [
        Shape(average: false, planes: 24, height: 16, width: 16),                                // rows of 8, stride 2
        Shape(average: true, planes: 16, height: 8, width: 8, ceil: true, countIncludePad: true),  // rows of 4, planes per vector
        Shape(average: false, planes: 19, height: 4, width: 4, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1]),  // padded, 3 left over
        Shape(average: true, planes: 13, height: 5, width: 7, kernel: [3, 3], strides: [1, 2], pads: [1, 0, 1, 2]),   // count without pads
        Shape(average: true, planes: 9, height: 7, width: 6, kernel: [3, 2], pads: [1, 1, 1, 1], ceil: true, countIncludePad: true),
        Shape(average: false, planes: 8, height: 9, width: 9, kernel: [2, 2], strides: [1, 1], dilations: [2, 2]),      // dilated
        Shape(average: false, planes: 5, height: 6, width: 6, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]),     // too few planes
        Shape(average: true, planes: 3, height: 20, width: 40, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1]),    // wide rows
    ]

    @Test(arguments: shapes.indices)
    func everyPathPoolsLikePlainLoops(_ index: Int) throws {
        let s = Self.shapes[index]
        var rng = SplitMix64(seed: UInt64(index + 11))
        var x = (0..<(s.planes * s.height * s.width)).map { _ in Float(Int.random(in: -4...4, using: &rng)) / 2 }
        // Ties above, and here NaN, infinities and signed zeros, whose handling depends on tap order.
        for i in stride(from: 0, to: x.count, by: 7) { x[i] = [Float.nan, -.infinity, .infinity, -0.0][(i / 7) % 4] }

        var node = Onnx_NodeProto()
        node.opType = s.average ? "AveragePool" : "MaxPool"
        node.output = ["y"]
        for (name, values) in [("kernel_shape", s.kernel), ("strides", s.strides), ("pads", s.pads), ("dilations", s.dilations)] {
            node.addInts(name, values)
        }
        for (name, on) in [("ceil_mode", s.ceil), ("count_include_pad", s.countIncludePad)] { node.addInt(name, on ? 1 : 0) }
        let kernel = try PoolKernel(s.average ? .average : .max, NodeAttributes(node), opset: 19)
        let input = Value.tensor(Tensor(shape: [1, s.planes, s.height, s.width], data: .float(x)))
        // Twice: the second run reads the windows kept from the first.
        for run in 0..<2 {
            guard case .tensor(let result)? = try kernel.run([input]).first, case .float(let got) = result.data else {
                Issue.record("pooling gave no float tensor")
                return
            }
            let axes = try WindowGeometry(NodeAttributes(node), kernelRequired: true, allowCeil: true)
                .axes(input: [1, s.planes, s.height, s.width], kernel: s.kernel, op: "test")
            let ay = axes[0], ax = axes[1]
            #expect(result.shape == [1, s.planes, ay.output, ax.output])
            var expected: [Float] = []
            for p in 0..<s.planes {
                for oy in 0..<ay.output {
                    for ox in 0..<ax.output {
                        var best: Float?, sum: Float = 0, counted = 0
                        for ky in 0..<s.kernel[0] {
                            for kx in 0..<s.kernel[1] {
                                let iy = ay.coordinate(oy, ky), ix = ax.coordinate(ox, kx)
                                let inPads = iy < ay.input + ay.padEnd && ix < ax.input + ax.padEnd
                                guard iy >= 0, iy < ay.input, ix >= 0, ix < ax.input else {
                                    if inPads && s.countIncludePad { counted += 1 }
                                    continue
                                }
                                let v = x[(p * s.height + iy) * s.width + ix]
                                sum += v
                                counted += 1
                                if let held = best { best = v > held ? v : held } else { best = v }
                            }
                        }
                        expected.append(s.average ? sum / Float(max(counted, 1)) : best ?? -.greatestFiniteMagnitude)
                    }
                }
            }
            #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "shape \(index), run \(run): outputs differ from plain loops")
        }
    }

    /// 1-D pooling runs the 2-D paths as one row: the bits of the same pooling of `[N, C, 1, L]`.
    @Test(arguments: [(false, 2, 2, 0, false), (true, 3, 1, 1, false), (true, 3, 2, 1, true), (false, 3, 1, 1, false)])
    func oneSpatialAxisIsOneRow(_ c: (average: Bool, kernel: Int, stride: Int, pad: Int, countIncludePad: Bool)) throws {
        var rng = SplitMix64(seed: UInt64(c.kernel * 7 + c.stride))
        var x = (0..<(5 * 12 * 13)).map { _ in Float(Int.random(in: -4...4, using: &rng)) / 2 }
        for i in stride(from: 3, to: x.count, by: 11) { x[i] = .nan }
        func run(_ spatial: [Int], kernel: [Int], strides: [Int], pads: [Int]) throws -> [Float] {
            var node = Onnx_NodeProto()
            node.opType = c.average ? "AveragePool" : "MaxPool"
            node.output = ["y"]
            for (name, values) in [("kernel_shape", kernel), ("strides", strides), ("pads", pads)] { node.addInts(name, values) }
            node.addInt("count_include_pad", c.countIncludePad ? 1 : 0)
            let kernel = try PoolKernel(c.average ? .average : .max, NodeAttributes(node), opset: 19)
            guard case .tensor(let t)? = try kernel.run([.tensor(Tensor(shape: [5, 12] + spatial, data: .float(x)))]).first,
                  case .float(let v) = t.data else { return [] }
            return v
        }
        let row = try run([13], kernel: [c.kernel], strides: [c.stride], pads: [c.pad, c.pad])
        let plane = try run([1, 13], kernel: [1, c.kernel], strides: [1, c.stride], pads: [0, c.pad, 0, c.pad])
        #expect(!row.isEmpty && row.map(\.bitPattern) == plane.map(\.bitPattern))
    }
}
