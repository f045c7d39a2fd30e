import CEngineKernels
import Foundation
import NightjarCore

/// `Add`, `Sub`, `Mul`, `Div`, `Pow`, `Max`, `Min` with numpy broadcasting, on float, double,
/// int64 and int32. Integer arithmetic wraps on overflow as C does; integer division by zero is an
/// error instead of a crash.
struct BinaryKernel: SingleOutputArenaKernel {
    enum Op: String {
        case add = "Add", sub = "Sub", mul = "Mul", div = "Div", pow = "Pow"

        func apply<T: FloatingPoint>(_ a: T, _ b: T) -> T {
            switch self {
            case .add: a + b
            case .sub: a - b
            case .mul: a * b
            case .div: a / b
            case .pow: a  // powers are computed by the caller in the element's own precision
            }
        }

        func apply<T: FixedWidthInteger>(_ a: T, _ b: T) -> T {
            switch self {
            case .add: a &+ b
            case .sub: a &- b
            case .mul: a &* b
            case .div: b == 0 ? 0 : a.dividedReportingOverflow(by: b).partialValue
            case .pow: a
            }
        }
    }

    let op: Op

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: op.rawValue)
        let a = try args.tensor(0), b = try args.tensor(1)
        try Shapes.check(a, op: op.rawValue)
        try Shapes.check(b, op: op.rawValue)
        let shape = try Shapes.broadcast(a.shape, b.shape, op: op.rawValue)
        let data: TensorData
        switch (a.data, b.data) {
        case (.float(let x), .float(let y)) where op != .pow:
            if let out = Self.floatArithmetic(op, x, a.shape, y, b.shape, shape, arena: &arena) {
                data = .float(out)
            } else {
                data = .float(Self.arithmetic(op, x, a.shape, y, b.shape, shape))
            }
        case (.float(let x), .float(let y)):
            data = .float(Self.combine(x, a.shape, y, b.shape, shape) { Foundation.pow($0, $1) })
        case (.double(let x), .double(let y)):
            data = .double(op == .pow ? Self.combine(x, a.shape, y, b.shape, shape) { Foundation.pow($0, $1) }
                                      : Self.arithmetic(op, x, a.shape, y, b.shape, shape))
        case (.float(let x), .double(let y)) where op == .pow:
            data = .float(Self.combine(x, a.shape, y.map { Float($0) }, b.shape, shape) { Foundation.pow($0, $1) })
        case (.int64(let x), .int64(let y)) where op != .pow:
            if op == .div, y.contains(0) { throw .invalidArgument("Div: integer division by zero") }
            data = .int64(Self.combine(x, a.shape, y, b.shape, shape) { op.apply($0, $1) })
        case (.int32(let x), .int32(let y)) where op != .pow:
            if op == .div, y.contains(0) { throw .invalidArgument("Div: integer division by zero") }
            data = .int32(Self.combine(x, a.shape, y, b.shape, shape) { op.apply($0, $1) })
        default:
            throw .invalidArgument("\(op.rawValue): element types \(a.dataType.rawValue) and \(b.dataType.rawValue) are not supported together")
        }
        return .tensor(Tensor(shape: shape, data: data))
    }

    /// Float `+ − × ÷` into an arena buffer for the layouts layers produce: same shapes, a scalar on
    /// either side, or a row broadcast along the last axes of `x` (a bias). Nil for other layouts.
    static func floatArithmetic(_ op: Op, _ x: [Float], _ xs: [Int], _ y: [Float], _ ys: [Int], _ out: [Int],
                                arena: inout TensorArena) -> [Float]? {
        let n = x.count
        guard xs == out, n > 0, !y.isEmpty else {
            // A scalar or row on the left: `b − x` is not `x − b`, so only the symmetric operators swap.
            if (op == .add || op == .mul), ys == out, !x.isEmpty, x.count < y.count {
                return floatArithmetic(op, y, ys, x, xs, out, arena: &arena)
            }
            return nil
        }
        // y's shape without its leading 1s, as a slice: an array made here was an allocation per step.
        let yCore = ys.drop { $0 == 1 }
        let row: Int
        if xs == ys {
            row = n
        } else if y.count == 1 {
            row = 1
        } else if yCore.count <= xs.count, xs.suffix(yCore.count).elementsEqual(yCore), xs.count >= ys.count, n % y.count == 0 {
            row = y.count
        } else {
            return nil
        }
        return x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                arena.floats(count: n) { o in
                    guard let xa = xp.baseAddress, let ya = yp.baseAddress, let oa = o.baseAddress else { return }
                    // The operator is chosen outside the loops so each loop vectorizes.
                    switch op {
                    case .add: rows(xa, ya, oa, n, row) { $0 + $1 }
                    case .sub: rows(xa, ya, oa, n, row) { $0 - $1 }
                    case .mul: rows(xa, ya, oa, n, row) { $0 * $1 }
                    case .div: rows(xa, ya, oa, n, row) { $0 / $1 }
                    case .pow: break
                    }
                }
            }
        }
    }

    /// `out[i] = f(x[i], y[i % row])`, a row (or one value) of y repeated along x.
    @inline(__always)
    private static func rows(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                             _ n: Int, _ row: Int, _ f: (Float, Float) -> Float) {
        if row == 1 {
            let b = y[0]
            for i in 0..<n { out[i] = f(x[i], b) }
            return
        }
        var start = 0
        while start < n {
            let xr = x + start, orow = out + start
            for j in 0..<row { orow[j] = f(xr[j], y[j]) }
            start += row
        }
    }

    /// One closure per operator, chosen before the loop: a switch on the operator inside it runs
    /// per element and keeps the loop from vectorizing.
    static func arithmetic<T: FloatingPoint>(_ op: Op, _ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int], _ out: [Int]) -> [T] {
        switch op {
        case .add: combine(x, xs, y, ys, out, +)
        case .sub: combine(x, xs, y, ys, out, -)
        case .mul: combine(x, xs, y, ys, out, *)
        case .div: combine(x, xs, y, ys, out, /)
        case .pow: combine(x, xs, y, ys, out) { op.apply($0, $1) }
        }
    }

    /// Elementwise `f` over two broadcast operands; same shapes, a scalar and a trailing row (a bias)
    /// take loops without index arithmetic.
    static func combine<T>(_ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int], _ out: [Int], _ f: (T, T) -> T) -> [T] {
        let n = out.reduce(1, *)
        if xs == ys { return zip(x, y).map(f) }
        if y.count == 1, x.count == n { let b = y[0]; return x.map { f($0, b) } }
        if x.count == 1, y.count == n { let a = x[0]; return y.map { f(a, $0) } }
        // A bias row, written [64] or [1, 64] beside [N, 64].
        let yCore = Array(ys.drop { $0 == 1 })
        if x.count == n, !y.isEmpty, yCore.count <= xs.count, Array(xs.suffix(yCore.count)) == yCore, xs.count >= ys.count {
            let width = y.count
            return [T](unsafeUninitializedCapacity: n) { r, count in
                x.withUnsafeBufferPointer { xp in
                    y.withUnsafeBufferPointer { yp in
                        for row in stride(from: 0, to: n, by: width) {
                            for j in 0..<width { r.initializeElement(at: row + j, to: f(xp[row + j], yp[j])) }
                        }
                    }
                }
                count = n
            }
        }
        let ix = Shapes.broadcastIndices(from: xs, to: out)
        let iy = Shapes.broadcastIndices(from: ys, to: out)
        var r = [T]()
        r.reserveCapacity(n)
        for i in 0..<n { r.append(f(x[ix[i]], y[iy[i]])) }
        return r
    }
}

/// One-input elementwise operators on floats: activations and simple math.
struct UnaryKernel: SingleOutputArenaKernel {
    enum Op: String {
        case relu = "Relu", sigmoid = "Sigmoid", tanh = "Tanh", abs = "Abs", neg = "Neg", exp = "Exp", log = "Log"
        case sqrt = "Sqrt", reciprocal = "Reciprocal", floor = "Floor", ceil = "Ceil", leakyRelu = "LeakyRelu"
        case elu = "Elu", softplus = "Softplus", softsign = "Softsign", sin = "Sin", cos = "Cos", erf = "Erf"
        case selu = "Selu", hardSigmoid = "HardSigmoid", thresholdedRelu = "ThresholdedRelu", sign = "Sign", round = "Round"
        case tan = "Tan", asin = "Asin", acos = "Acos", atan = "Atan", sinh = "Sinh", cosh = "Cosh"
        case asinh = "Asinh", acosh = "Acosh", atanh = "Atanh"
    }

    let op: Op
    let alpha: Float
    let beta: Float

    init(_ op: Op, _ attributes: NodeAttributes) throws(NightjarError) {
        self.op = op
        switch op {
        case .leakyRelu: alpha = try attributes.float("alpha", default: 0.01)
        case .elu, .thresholdedRelu: alpha = try attributes.float("alpha", default: 1)
        case .selu: alpha = try attributes.float("alpha", default: 1.67326319217681884765625)
        case .hardSigmoid: alpha = try attributes.float("alpha", default: 0.2)
        default: alpha = 0
        }
        switch op {
        case .selu: beta = try attributes.float("gamma", default: 1.05070102214813232421875)
        case .hardSigmoid: beta = try attributes.float("beta", default: 0.5)
        default: beta = 0
        }
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: op.rawValue).tensor(0)
        switch x.data {
        case .float(let v) where op == .relu: return .tensor(Tensor(shape: x.shape, data: .float(Self.relu(v, arena: &arena))))
        case .float(let v) where op == .erf && BlockedGemm.fusedMultiplyAdd:
            // The polynomial erf of Gelu (gelu.c), eight lanes at a time, instead of `erff` per element.
            let out = v.withUnsafeBufferPointer { vp in
                arena.floats(count: v.count) { op in
                    guard let x = vp.baseAddress, let o = op.baseAddress else { return }
                    nj_erf_fma(x, o, vp.count)
                }
            }
            return .tensor(Tensor(shape: x.shape, data: .float(out)))
        case .float(let v): return .tensor(Tensor(shape: x.shape, data: .float(mapped(v, arena: &arena))))
        case .double(let v): return .tensor(Tensor(shape: x.shape, data: .double(mapped(v))))
        case .int64(let v) where op == .abs || op == .neg || op == .relu || op == .sign:
            return .tensor(Tensor(shape: x.shape, data: .int64(v.map { integer($0) })))
        case .int32(let v) where op == .abs || op == .neg || op == .relu || op == .sign:
            return .tensor(Tensor(shape: x.shape, data: .int32(v.map { integer($0) })))
        default:
            throw .invalidArgument("\(op.rawValue): element type \(x.dataType.rawValue) is not supported")
        }
    }

    /// Relu without a branch: a compare-and-jump per element mispredicts on about half of a layer's
    /// activations, which cost more than the layer's GEMM. NaN stays NaN (it is not ≤ 0); −0 becomes 0.
    static func relu(_ v: [Float], arena: inout TensorArena) -> [Float] {
        arena.floats(count: v.count) { out in
            v.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress, let d = out.baseAddress else { return }
                var i = 0
                while i + 8 <= src.count {
                    let x = UnsafeRawPointer(s + i).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(d + i).storeBytes(of: x.replacing(with: 0, where: x .<= 0), as: SIMD8<Float>.self)
                    i += 8
                }
                while i < src.count {
                    d[i] = s[i] <= 0 ? 0 : s[i]
                    i += 1
                }
            }
        }
    }

    /// `mapped` for floats, into an arena buffer.
    private func mapped(_ v: [Float], arena: inout TensorArena) -> [Float] {
        arena.floats(count: v.count) { out in
            switch op {
            case .abs: for i in v.indices { out[i] = Swift.abs(v[i]) }
            case .neg: for i in v.indices { out[i] = -v[i] }
            default: for i in v.indices { out[i] = apply(v[i]) }
            }
        }
    }

    /// The common activations get their own loops, which vectorize; the rest go element by element.
    private func mapped<T: BinaryFloatingPoint & ElementaryFunctions>(_ v: [T]) -> [T] {
        switch op {
        case .relu:
            // In place on a copy, which vectorizes where `map` does not; NaN stays NaN (0 ≥ NaN is false).
            var out = v
            out.withUnsafeMutableBufferPointer { p in
                for i in p.indices { p[i] = 0 >= p[i] ? 0 : p[i] }
            }
            return out
        case .abs: return v.map { Swift.abs($0) }
        case .neg: return v.map { -$0 }
        default: return v.map { apply($0) }
        }
    }

    private func integer<T: FixedWidthInteger & SignedInteger>(_ v: T) -> T {
        switch op {
        case .abs: v == T.min ? v : Swift.abs(v)
        case .neg: 0 &- v
        case .sign: v > 0 ? 1 : (v < 0 ? -1 : 0)
        default: Swift.max(v, 0)
        }
    }

    private func apply<T: BinaryFloatingPoint & ElementaryFunctions>(_ v: T) -> T {
        switch op {
        case .relu: return v > 0 ? v : (v.isNaN ? v : 0)
        case .sigmoid: return v >= 0 ? 1 / (1 + T.exp(-v)) : T.exp(v) / (1 + T.exp(v))
        case .tanh: return T.tanh(v)
        case .abs: return Swift.abs(v)
        case .neg: return -v
        case .exp: return T.exp(v)
        case .log: return T.log(v)
        case .sqrt: return v.squareRoot()
        case .reciprocal: return 1 / v
        case .floor: return v.rounded(.down)
        case .ceil: return v.rounded(.up)
        case .leakyRelu: return v >= 0 ? v : T(alpha) * v
        case .elu: return v >= 0 ? v : T(alpha) * (T.exp(v) - 1)
        case .softplus: return v > 0 ? v + T.log(1 + T.exp(-v)) : T.log(1 + T.exp(v))
        case .softsign: return v / (1 + Swift.abs(v))
        case .sin: return T.sin(v)
        case .cos: return T.cos(v)
        case .erf: return T.erf(v)
        case .selu: return v > 0 ? T(beta) * v : T(beta) * (T(alpha) * T.exp(v) - T(alpha))
        case .hardSigmoid: return Swift.max(0, Swift.min(1, T(alpha) * v + T(beta)))
        case .thresholdedRelu: return v > T(alpha) ? v : 0
        case .sign: return v > 0 ? 1 : (v < 0 ? -1 : (v.isNaN ? v : 0))
        case .round: return v.rounded(.toNearestOrEven)
        case .tan: return T.tan(v)
        case .asin: return T.asin(v)
        case .acos: return T.acos(v)
        case .atan: return T.atan(v)
        case .sinh: return T.sinh(v)
        case .cosh: return T.cosh(v)
        case .asinh: return T.asinh(v)
        case .acosh: return T.acosh(v)
        case .atanh: return T.atanh(v)
        }
    }
}

/// The libm functions the unary operators need, for float and double alike.
protocol ElementaryFunctions {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func tan(_ x: Self) -> Self
    static func asin(_ x: Self) -> Self
    static func acos(_ x: Self) -> Self
    static func atan(_ x: Self) -> Self
    static func sinh(_ x: Self) -> Self
    static func cosh(_ x: Self) -> Self
    static func asinh(_ x: Self) -> Self
    static func acosh(_ x: Self) -> Self
    static func atanh(_ x: Self) -> Self
}

extension Float: ElementaryFunctions {
    static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    static func log(_ x: Float) -> Float { Foundation.log(x) }
    static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    static func sin(_ x: Float) -> Float { Foundation.sin(x) }
    static func cos(_ x: Float) -> Float { Foundation.cos(x) }
    static func erf(_ x: Float) -> Float { Foundation.erf(x) }
    static func tan(_ x: Float) -> Float { Foundation.tan(x) }
    static func asin(_ x: Float) -> Float { Foundation.asin(x) }
    static func acos(_ x: Float) -> Float { Foundation.acos(x) }
    static func atan(_ x: Float) -> Float { Foundation.atan(x) }
    static func sinh(_ x: Float) -> Float { Foundation.sinh(x) }
    static func cosh(_ x: Float) -> Float { Foundation.cosh(x) }
    static func asinh(_ x: Float) -> Float { Foundation.asinh(x) }
    static func acosh(_ x: Float) -> Float { Foundation.acosh(x) }
    static func atanh(_ x: Float) -> Float { Foundation.atanh(x) }
}

extension Double: ElementaryFunctions {
    static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    static func log(_ x: Double) -> Double { Foundation.log(x) }
    static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    static func tan(_ x: Double) -> Double { Foundation.tan(x) }
    static func asin(_ x: Double) -> Double { Foundation.asin(x) }
    static func acos(_ x: Double) -> Double { Foundation.acos(x) }
    static func atan(_ x: Double) -> Double { Foundation.atan(x) }
    static func sinh(_ x: Double) -> Double { Foundation.sinh(x) }
    static func cosh(_ x: Double) -> Double { Foundation.cosh(x) }
    static func asinh(_ x: Double) -> Double { Foundation.asinh(x) }
    static func acosh(_ x: Double) -> Double { Foundation.acosh(x) }
    static func atanh(_ x: Double) -> Double { Foundation.atanh(x) }
}

/// `IsNaN` and `IsInf` (optionally only one sign of infinity): booleans per element.
struct ClassifyKernel: SingleOutputKernel {
    let nan: Bool
    let negative: Bool
    let positive: Bool

    init(nan: Bool, _ a: NodeAttributes) throws(NightjarError) {
        self.nan = nan
        negative = try a.int("detect_negative", default: 1) != 0
        positive = try a.int("detect_positive", default: 1) != 0
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let op = nan ? "IsNaN" : "IsInf"
        let x = try KernelInputs(values: inputs, op: op).tensor(0)
        let values: [Double]
        switch x.data {
        case .float(let v): values = v.map { Double($0) }
        case .double(let v): values = v
        default: throw .invalidArgument("\(op): element type \(x.dataType.rawValue) is not supported")
        }
        let out = values.map { v in nan ? v.isNaN : v.isInfinite && ((v > 0 && positive) || (v < 0 && negative)) }
        return .tensor(Tensor(shape: x.shape, data: .bool(out)))
    }
}

/// `Clip`: bounds from attributes before opset 11, from optional scalar inputs after.
struct ClipKernel: SingleOutputKernel {
    let attributeBounds: (Float, Float)?

    init(_ a: NodeAttributes, opset: Int) throws(NightjarError) {
        attributeBounds = opset < 11
            ? (try a.float("min", default: -Float.greatestFiniteMagnitude), try a.float("max", default: Float.greatestFiniteMagnitude))
            : nil
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "Clip")
        let x = try args.tensor(0)
        func bound(_ i: Int) throws(NightjarError) -> TensorData? {
            guard inputs.count > i, inputs[i] != nil else { return nil }
            let t = try args.tensor(i)
            guard t.data.count == 1 else { throw .invalidArgument("Clip: bound \(i) must be a scalar") }
            return t.data
        }
        let lo = try bound(1), hi = try bound(2)
        switch x.data {
        case .float(let v):
            var l = -Float.infinity, h = Float.infinity
            if let (a, b) = attributeBounds { (l, h) = (a, b) }
            if case .float(let b)? = lo { l = b[0] }
            if case .float(let b)? = hi { h = b[0] }
            return .tensor(Tensor(shape: x.shape, data: .float(v.map { $0.isNaN ? $0 : Swift.min(Swift.max($0, l), h) })))
        case .double(let v):
            var l = -Double.infinity, h = Double.infinity
            if case .double(let b)? = lo { l = b[0] }
            if case .double(let b)? = hi { h = b[0] }
            return .tensor(Tensor(shape: x.shape, data: .double(v.map { $0.isNaN ? $0 : Swift.min(Swift.max($0, l), h) })))
        case .int64(let v):
            var l = Int64.min, h = Int64.max
            if case .int64(let b)? = lo { l = b[0] }
            if case .int64(let b)? = hi { h = b[0] }
            return .tensor(Tensor(shape: x.shape, data: .int64(v.map { Swift.min(Swift.max($0, l), h) })))
        case .int32(let v):
            var l = Int32.min, h = Int32.max
            if case .int32(let b)? = lo { l = b[0] }
            if case .int32(let b)? = hi { h = b[0] }
            return .tensor(Tensor(shape: x.shape, data: .int32(v.map { Swift.min(Swift.max($0, l), h) })))
        default:
            throw .invalidArgument("Clip: element type \(x.dataType.rawValue) is not supported")
        }
    }
}

/// `Mod`: integers take the divisor's sign (Python's %) unless `fmod` is 1, which C's fmod gives;
/// floats need `fmod` 1.
struct ModKernel: SingleOutputKernel {
    let fmod: Bool

    init(_ a: NodeAttributes) throws(NightjarError) {
        fmod = try a.int("fmod", default: 0) != 0
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let args = KernelInputs(values: inputs, op: "Mod")
        let a = try args.tensor(0), b = try args.tensor(1)
        try Shapes.check(a, op: "Mod")
        try Shapes.check(b, op: "Mod")
        let shape = try Shapes.broadcast(a.shape, b.shape, op: "Mod")
        func integer<T: FixedWidthInteger & SignedInteger>(_ x: T, _ y: T) -> T {
            guard y != 0 else { return 0 }
            let r = x.remainderReportingOverflow(dividingBy: y).partialValue
            return !fmod && r != 0 && (r < 0) != (y < 0) ? r &+ y : r
        }
        switch (a.data, b.data) {
        case (.int64(let x), .int64(let y)):
            if y.contains(0) { throw .invalidArgument("Mod: integer division by zero") }
            return .tensor(Tensor(shape: shape, data: .int64(BinaryKernel.combine(x, a.shape, y, b.shape, shape, integer))))
        case (.int32(let x), .int32(let y)):
            if y.contains(0) { throw .invalidArgument("Mod: integer division by zero") }
            return .tensor(Tensor(shape: shape, data: .int32(BinaryKernel.combine(x, a.shape, y, b.shape, shape, integer))))
        case (.float(let x), .float(let y)) where fmod:
            return .tensor(Tensor(shape: shape, data: .float(BinaryKernel.combine(x, a.shape, y, b.shape, shape) { Foundation.fmod($0, $1) })))
        case (.double(let x), .double(let y)) where fmod:
            return .tensor(Tensor(shape: shape, data: .double(BinaryKernel.combine(x, a.shape, y, b.shape, shape) { Foundation.fmod($0, $1) })))
        default:
            throw .invalidArgument("Mod: element types \(a.dataType.rawValue), \(b.dataType.rawValue) with fmod \(fmod ? 1 : 0) are not supported")
        }
    }
}

/// `Gelu` (opset 20): `x · Φ(x)` through erf, or its tanh approximation when `approximate` is "tanh".
struct GeluKernel: SingleOutputArenaKernel {
    let tanhApproximation: Bool

    init(_ a: NodeAttributes) throws(NightjarError) {
        let approximate = try a.string("approximate", default: "none")
        guard approximate == "none" || approximate == "tanh" else {
            throw a.invalid("approximate", "is '\(approximate)'; the engine supports none and tanh")
        }
        tanhApproximation = approximate == "tanh"
    }

    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        let x = try KernelInputs(values: inputs, op: "Gelu").tensor(0)
        switch x.data {
        case .float(let v) where !tanhApproximation && BlockedGemm.fusedMultiplyAdd:
            // Eight lanes with a polynomial erf (gelu.c): glibc's `erff` per element was a quarter
            // of a transformer block's time.
            let out = v.withUnsafeBufferPointer { vp in
                arena.floats(count: v.count) { op in
                    guard let x = vp.baseAddress, let o = op.baseAddress else { return }
                    nj_gelu_erf_fma(x, o, vp.count)
                }
            }
            return .tensor(Tensor(shape: x.shape, data: .float(out)))
        case .float(let v): return .tensor(Tensor(shape: x.shape, data: .float(v.map(gelu))))
        case .double(let v): return .tensor(Tensor(shape: x.shape, data: .double(v.map(gelu))))
        default: throw .invalidArgument("Gelu: element type \(x.dataType.rawValue) is not supported")
        }
    }

    private func gelu<T: BinaryFloatingPoint & ElementaryFunctions>(_ x: T) -> T {
        if tanhApproximation {
            let inner = T(0.7978845608028654) * (x + T(0.044715) * x * x * x)
            return T(0.5) * x * (1 + T.tanh(inner))
        }
        return T(0.5) * x * (1 + T.erf(x * T(0.7071067811865476)))
    }
}
