import NightjarCore

/// The sliding-window geometry `Conv` and the pooling operators share: `auto_pad`, `pads`,
/// `strides`, `dilations` and, for pooling, `ceil_mode`. Attributes are checked when the model
/// loads; sizes are resolved per run, since they depend on the input's spatial shape.
struct WindowGeometry: Sendable {
    enum AutoPad: String, Sendable {
        case notSet = "NOTSET", sameUpper = "SAME_UPPER", sameLower = "SAME_LOWER", valid = "VALID"
    }

    /// Where a window falls for one spatial dimension.
    struct Axis: Sendable {
        let input: Int
        let output: Int
        let kernel: Int
        let stride: Int
        let dilation: Int
        let padBegin: Int
        let padEnd: Int

        /// The input coordinate of kernel tap `k` for output position `o`; may lie in the padding.
        @inline(__always) func coordinate(_ o: Int, _ k: Int) -> Int { o * stride - padBegin + k * dilation }
    }

    let autoPad: AutoPad
    let kernelShape: [Int]
    let strides: [Int]
    let dilations: [Int]
    let pads: [Int]
    let ceilMode: Bool

    /// `kernelRequired`: pooling must name its window; Conv may take it from the weights.
    init(_ a: NodeAttributes, kernelRequired: Bool, allowCeil: Bool) throws(NightjarError) {
        let mode = try a.string("auto_pad", default: "NOTSET")
        guard let autoPad = AutoPad(rawValue: mode) else {
            throw a.invalid("auto_pad", "is '\(mode)'; the engine supports NOTSET, SAME_UPPER, SAME_LOWER and VALID")
        }
        self.autoPad = autoPad
        kernelShape = a.ints("kernel_shape").map { Int(clamping: $0) }
        if kernelRequired && kernelShape.isEmpty { throw a.missing("kernel_shape") }
        guard kernelShape.allSatisfy({ $0 > 0 }) else { throw a.invalid("kernel_shape", "must be positive, got \(kernelShape)") }
        strides = a.ints("strides").map { Int(clamping: $0) }
        dilations = a.ints("dilations").map { Int(clamping: $0) }
        pads = a.ints("pads").map { Int(clamping: $0) }
        guard strides.allSatisfy({ $0 > 0 }) else { throw a.invalid("strides", "must be positive, got \(strides)") }
        guard dilations.allSatisfy({ $0 > 0 }) else { throw a.invalid("dilations", "must be positive, got \(dilations)") }
        guard pads.allSatisfy({ $0 >= 0 }) else { throw a.invalid("pads", "must not be negative, got \(pads)") }
        guard pads.count % 2 == 0 else { throw a.invalid("pads", "must hold a begin and an end per spatial axis, got \(pads)") }
        // Far beyond any real model, and small enough that no window arithmetic can overflow.
        for (name, list) in [("kernel_shape", kernelShape), ("strides", strides), ("dilations", dilations), ("pads", pads)]
        where list.contains(where: { $0 > 1 << 24 }) {
            throw a.invalid(name, "holds a value above \(1 << 24): \(list)")
        }
        let ceil = try a.int("ceil_mode", default: 0) != 0
        if ceil && !allowCeil { throw a.invalid("ceil_mode", "is not defined for this operator") }
        ceilMode = ceil
        // Every attribute that is given must agree on the number of spatial axes.
        let ranks = [kernelShape.count, strides.count, dilations.count, pads.count / 2].filter { $0 > 0 }
        guard Set(ranks).count <= 1 else {
            throw a.invalid("kernel_shape", "\(kernelShape), strides \(strides), dilations \(dilations) and pads \(pads) disagree on the number of spatial axes")
        }
    }

    /// Resolves every spatial axis of an input `[N, C, D1, …]` for a kernel of `kernel` taps.
    func axes(input shape: [Int], kernel: [Int], op: String) throws(NightjarError) -> [Axis] {
        let spatial = Array(shape.dropFirst(2))
        guard shape.count >= 3, spatial.count == kernel.count else {
            throw .invalidArgument("\(op): input of shape \(shape) does not fit a \(kernel.count)-D window (expected [N, C, \(kernel.count) spatial dimensions])")
        }
        let r = spatial.count
        for (name, list, size) in [("strides", strides, r), ("dilations", dilations, r), ("pads", pads, 2 * r)] where !list.isEmpty && list.count != size {
            throw .invalidArgument("\(op): \(name) \(list) do not fit a \(r)-D input of shape \(shape)")
        }
        var axes: [Axis] = []
        for d in 0..<r {
            let input = spatial[d], k = kernel[d]
            let stride = strides.isEmpty ? 1 : strides[d]
            let dilation = dilations.isEmpty ? 1 : dilations[d]
            let (span, spanOverflow) = (k - 1).multipliedReportingOverflow(by: dilation)
            guard !spanOverflow, span < 1 << 31 else { throw .invalidArgument("\(op): window too large") }
            let extent = span + 1
            var begin = pads.isEmpty ? 0 : pads[d], end = pads.isEmpty ? 0 : pads[d + r]
            var output: Int
            switch autoPad {
            case .notSet:
                output = Self.count(input + begin + end - extent, stride, ceil: ceilMode)
                // A last window that would start inside the end padding is dropped, as onnxruntime does.
                if ceilMode && output > 0 && (output - 1) * stride >= input + begin { output -= 1 }
            case .valid:
                (begin, end) = (0, 0)
                output = Self.count(input - extent, stride, ceil: ceilMode)
            case .sameUpper, .sameLower:
                output = (input + stride - 1) / stride
                let total = max(0, (output - 1) * stride + extent - input)
                begin = autoPad == .sameUpper ? total / 2 : total - total / 2
                end = total - begin
            }
            guard output > 0, input > 0 else {
                throw .invalidArgument("\(op): a window of \(extent) (kernel \(k), dilation \(dilation)) does not fit input dimension \(input) with pads \(begin), \(end)")
            }
            axes.append(Axis(input: input, output: output, kernel: k, stride: stride, dilation: dilation, padBegin: begin, padEnd: end))
        }
        return axes
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

    static let padding = -1
    static let beyond = -2

    /// For every kernel tap and output position (row-major, taps outer), the row-major offset of
    /// the input element it reads within one channel plane; `padding` where it falls in the pads,
    /// `beyond` past them (a ceil-mode window hanging off the end). Built once per run and shared by
    /// every channel and image, so the per-element loops need no coordinate arithmetic.
    static func tapTable(_ axes: [Axis], op: String) throws(NightjarError) -> [Int] {
        _ = try Shapes.count(axes.map(\.kernel) + axes.map(\.output), op: op)
        let inStrides = axes.map(\.input).rowMajorStrides
        // Built one axis at a time: entry (tap t·k + j, output o·n + p) extends entry (t, o) of the
        // table for the axes before by tap j and output p of this one.
        var table = [0]
        var taps = 1, outputs = 1
        for (a, step) in zip(axes, inStrides) {
            var next = [Int](repeating: beyond, count: taps * a.kernel * outputs * a.output)
            let width = outputs * a.output
            for t in 0..<taps {
                for j in 0..<a.kernel {
                    let row = (t * a.kernel + j) * width
                    for o in 0..<outputs {
                        let before = table[t * outputs + o]
                        for p in 0..<a.output {
                            let c = a.coordinate(p, j)
                            let entry: Int
                            if before == beyond || c >= a.input + a.padEnd {
                                entry = beyond
                            } else if before == padding || c < 0 || c >= a.input {
                                entry = padding
                            } else {
                                entry = before + c * step
                            }
                            next[row + o * a.output + p] = entry
                        }
                    }
                }
            }
            table = next
            taps *= a.kernel
            outputs *= a.output
        }
        return table
    }

    /// The axes of one or two spatial dimensions as rows and columns, so the 2-D kernels serve 1-D
    /// inputs too: one row of one tap, no stride or padding, before a single axis. Empty otherwise.
    static func plane(_ axes: [Axis]) -> [Axis] {
        switch axes.count {
        case 1: return [Axis(input: 1, output: 1, kernel: 1, stride: 1, dilation: 1, padBegin: 0, padEnd: 0), axes[0]]
        case 2: return axes
        default: return []
        }
    }

    /// Elements in a part of a shape (`Shapes.count` of a slice, without copying it to an array,
    /// which on a warm run would be an allocation).
    static func count(_ dims: ArraySlice<Int>, op: @autoclosure () -> String) throws(NightjarError) -> Int {
        var n = 1
        for d in dims {
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard d >= 0, !overflow, p <= 1 << 32 else { return try Shapes.count(Array(dims), op: op()) }
            n = p
        }
        return n
    }

    /// How many windows start in `room` spare elements (room may be negative: none fit) with this stride.
    private static func count(_ room: Int, _ stride: Int, ceil: Bool) -> Int {
        guard room >= 0 else { return 0 }
        return (ceil ? (room + stride - 1) / stride : room / stride) + 1
    }
}
