import Foundation
import NightjarCore

/// `Add`, `Sub`, `Mul`, `Div`, `Pow`, `Max`, `Min` with numpy broadcasting, on float, double,
/// int64 and int32. Integer arithmetic wraps on overflow as C does; integer division by zero is an
/// error instead of a crash.
struct BinaryKernel: Kernel {
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

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        let args = KernelInputs(values: inputs, op: op.rawValue)
        let a = try args.tensor(0), b = try args.tensor(1)
        try Shapes.check(a, op: op.rawValue)
        try Shapes.check(b, op: op.rawValue)
        let shape = try Shapes.broadcast(a.shape, b.shape, op: op.rawValue)
        let data: TensorData
        switch (a.data, b.data) {
        case (.float(let x), .float(let y)):
            data = .float(op == .pow ? Self.combine(x, a.shape, y, b.shape, shape) { Foundation.pow($0, $1) }
                                     : Self.combine(x, a.shape, y, b.shape, shape) { op.apply($0, $1) })
        case (.double(let x), .double(let y)):
            data = .double(op == .pow ? Self.combine(x, a.shape, y, b.shape, shape) { Foundation.pow($0, $1) }
                                      : Self.combine(x, a.shape, y, b.shape, shape) { op.apply($0, $1) })
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
        return [.tensor(Tensor(shape: shape, data: data))]
    }

    /// Elementwise `f` over two broadcast operands; same shapes, a scalar and a trailing row (a bias)
    /// take loops without index arithmetic.
    static func combine<T>(_ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int], _ out: [Int], _ f: (T, T) -> T) -> [T] {
        let n = out.reduce(1, *)
        if xs == ys { return zip(x, y).map(f) }
        if y.count == 1, x.count == n { let b = y[0]; return x.map { f($0, b) } }
        if x.count == 1, y.count == n { let a = x[0]; return y.map { f(a, $0) } }
        if x.count == n, !y.isEmpty, ys.count <= xs.count, Array(xs.suffix(ys.count)) == ys {
            var r = [T]()
            r.reserveCapacity(n)
            for i in 0..<n { r.append(f(x[i], y[i % y.count])) }
            return r
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
struct UnaryKernel: Kernel {
    enum Op: String {
        case relu = "Relu", sigmoid = "Sigmoid", tanh = "Tanh", abs = "Abs", neg = "Neg", exp = "Exp", log = "Log"
        case sqrt = "Sqrt", reciprocal = "Reciprocal", floor = "Floor", ceil = "Ceil", leakyRelu = "LeakyRelu"
        case elu = "Elu", softplus = "Softplus", softsign = "Softsign", sin = "Sin", cos = "Cos", erf = "Erf"
    }

    let op: Op
    let alpha: Float

    init(_ op: Op, _ attributes: NodeAttributes) throws(NightjarError) {
        self.op = op
        switch op {
        case .leakyRelu: alpha = try attributes.float("alpha", default: 0.01)
        case .elu: alpha = try attributes.float("alpha", default: 1)
        default: alpha = 0
        }
    }

    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        let x = try KernelInputs(values: inputs, op: op.rawValue).tensor(0)
        switch x.data {
        case .float(let v): return [.tensor(Tensor(shape: x.shape, data: .float(v.map { apply($0) })))]
        case .double(let v): return [.tensor(Tensor(shape: x.shape, data: .double(v.map { apply($0) })))]
        case .int64(let v) where op == .abs || op == .neg || op == .relu:
            return [.tensor(Tensor(shape: x.shape, data: .int64(v.map { integer($0) })))]
        case .int32(let v) where op == .abs || op == .neg || op == .relu:
            return [.tensor(Tensor(shape: x.shape, data: .int32(v.map { integer($0) })))]
        default:
            throw .invalidArgument("\(op.rawValue): element type \(x.dataType.rawValue) is not supported")
        }
    }

    private func integer<T: FixedWidthInteger & SignedInteger>(_ v: T) -> T {
        switch op {
        case .abs: v == T.min ? v : Swift.abs(v)
        case .neg: 0 &- v
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
}

extension Float: ElementaryFunctions {
    static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    static func log(_ x: Float) -> Float { Foundation.log(x) }
    static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    static func sin(_ x: Float) -> Float { Foundation.sin(x) }
    static func cos(_ x: Float) -> Float { Foundation.cos(x) }
    static func erf(_ x: Float) -> Float { Foundation.erf(x) }
}

extension Double: ElementaryFunctions {
    static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    static func log(_ x: Double) -> Double { Foundation.log(x) }
    static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    static func erf(_ x: Double) -> Double { Foundation.erf(x) }
}
