import NightjarCore

/// Reads the common shape of an OIP `InferRequest` straight from its bytes, without Foundation's
/// `JSONDecoder`, whose per-element decoding (a thrown and caught error for every number that is
/// not an integer) cost more than the model on small tabular rows.
///
/// It only ever says "this is the request" or "not sure": anything outside well-formed, plain
/// JSON of the expected types (escapes in strings, `null`, duplicate keys, a number whose integer
/// or floating reading could differ, nesting past 32 levels, ...) returns nil, and the caller
/// decodes the body with `JSONDecoder` as before, so every accepted request means the same and
/// every refused one gets the same 400 as without this reader.
struct OIPInferBodyScanner {
    private let bytes: UnsafeRawBufferPointer
    private var at = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    static func read(_ bytes: UnsafeRawBufferPointer) -> OIPInferBody? {
        var scanner = OIPInferBodyScanner(bytes)
        guard let body = scanner.request() else { return nil }
        scanner.skipWhitespace()
        return scanner.at == bytes.count ? body : nil
    }

    // MARK: The request's fields

    private mutating func request() -> OIPInferBody? {
        var id: String?, inputs: [OIPInferBody.Input]?, outputs: [OIPInferBody.Output]?, parameters: OIPInferBody.Parameters?
        let ok = object { key, scanner in
            switch key {
            case "id": id = scanner.string(); return id != nil
            case "inputs": inputs = scanner.array { $0.input() }; return inputs != nil
            case "outputs": outputs = scanner.array { $0.output() }; return outputs != nil
            case "parameters":
                guard let binary = scanner.parameter("binary_data_output", { $0.bool() }) else { return false }
                parameters = OIPInferBody.Parameters(binary_data_output: binary)
                return true
            default: return scanner.skipValue(depth: 0)
            }
        }
        guard ok, let inputs else { return nil }
        return OIPInferBody(id: id, inputs: inputs, outputs: outputs, parameters: parameters)
    }

    private mutating func input() -> OIPInferBody.Input? {
        var name: String?, shape: [Int]?, datatype: String?, data: [JSONScalar]?, parameters: OIPInferBody.InputParameters?
        var nesting = DataNesting()
        var integralFraction = false
        let ok = object { key, scanner in
            switch key {
            case "name": name = scanner.string(); return name != nil
            case "datatype": datatype = scanner.string(); return datatype != nil
            case "shape": shape = scanner.array { $0.integer() }; return shape != nil
            case "data":
                var elements: [JSONScalar] = []
                var nested = DataNesting()
                guard scanner.flatten(into: &elements, nesting: &nested, integralFraction: &integralFraction, depth: 0) else { return false }
                data = elements
                nesting = nested
                return true
            case "parameters":
                guard let size = scanner.parameter("binary_data_size", { $0.integer() }) else { return false }
                parameters = OIPInferBody.InputParameters(binary_data_size: size)
                return true
            default: return scanner.skipValue(depth: 0)
            }
        }
        guard ok, let name, let shape, let datatype else { return nil }
        // Whether `JSONDecoder` reads 2.0 or 1e2 as an integer at the edges (precision, huge
        // exponents) is its own business; floating datatypes read both readings alike, others go to it.
        if integralFraction, datatype != DataType.fp32.rawValue, datatype != DataType.fp64.rawValue { return nil }
        return OIPInferBody.Input(name: name, shape: shape, datatype: datatype, data: data.map { FlatJSONData($0, nesting: nesting) },
                                 parameters: parameters)
    }

    private mutating func output() -> OIPInferBody.Output? {
        var name: String?, parameters: OIPInferBody.OutputParameters?
        let ok = object { key, scanner in
            switch key {
            case "name": name = scanner.string(); return name != nil
            case "parameters":
                guard let binary = scanner.parameter("binary_data", { $0.bool() }) else { return false }
                parameters = OIPInferBody.OutputParameters(binary_data: binary)
                return true
            default: return scanner.skipValue(depth: 0)
            }
        }
        guard ok, let name else { return nil }
        return OIPInferBody.Output(name: name, parameters: parameters)
    }

    /// The one key this reader wants from a `parameters` object, read by `read` (`.some(nil)` when
    /// absent), the others skipped; nil when the object is malformed.
    private mutating func parameter<T>(_ wanted: String, _ read: (inout OIPInferBodyScanner) -> T?) -> T?? {
        var value: T?
        let ok = object { key, scanner in
            guard key == wanted else { return scanner.skipValue(depth: 1) }
            value = read(&scanner)
            return value != nil
        }
        return ok ? .some(value) : nil
    }

    /// Nested arrays of scalars, flattened in row-major order like `FlatJSONData`.
    /// `nesting` records each array's length and each scalar's depth, for the check against the shape.
    private mutating func flatten(into out: inout [JSONScalar], nesting: inout DataNesting, integralFraction: inout Bool, depth: Int) -> Bool {
        guard depth < 32 else { return false }
        skipWhitespace()
        guard let c = peek() else { return false }
        if c != UInt8(ascii: "[") { nesting.scalar(atDepth: depth) }
        switch c {
        case UInt8(ascii: "["):
            var length = 0
            let ok = array(into: &out) { scanner, out in
                length += 1
                return scanner.flatten(into: &out, nesting: &nesting, integralFraction: &integralFraction, depth: depth + 1)
            }
            nesting.array(atLevel: depth, length: length)
            return ok
        case UInt8(ascii: "\""):
            guard let s = string() else { return false }
            out.append(.string(s))
            return true
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            guard let b = bool() else { return false }
            out.append(.bool(b))
            return true
        default:
            guard let n = number() else { return false }
            switch n {
            case .integer(let v): out.append(.int(v))
            case .floating(let v, integral: true):
                // As `JSONDecoder` reads it: a whole number decodes as Int64 before Double.
                integralFraction = true
                out.append(.int(Int64(v)))
            case .floating(let v, integral: false):
                out.append(.double(v))
            }
            return true
        }
    }

    // MARK: JSON pieces

    /// Calls `field` for each key with the scanner at its value; the field reads the value and says
    /// whether it was well-formed. Duplicate keys are left to `JSONDecoder`.
    private mutating func object(_ field: (String, inout OIPInferBodyScanner) -> Bool) -> Bool {
        // An array, not a Set: objects here have a few keys.
        var seen: [String] = []
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            guard let key = string(), !seen.contains(key) else { return false }
            seen.append(key)
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { return false }
            skipWhitespace()
            guard field(key, &self) else { return false }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    private mutating func array<T>(_ element: (inout OIPInferBodyScanner) -> T?) -> [T]? {
        var out: [T] = []
        let ok = array(into: &out) { scanner, out in
            guard let e = element(&scanner) else { return false }
            out.append(e)
            return true
        }
        return ok ? out : nil
    }

    private mutating func array<T>(into out: inout T, _ element: (inout OIPInferBodyScanner, inout T) -> Bool) -> Bool {
        skipWhitespace()
        guard consume(UInt8(ascii: "[")) else { return false }
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return true }
        while true {
            skipWhitespace()
            guard element(&self, &out) else { return false }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]"))
        }
    }

    /// A string without escapes or control characters, valid UTF-8.
    private mutating func string() -> String? {
        skipWhitespace()
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = at
        while at < bytes.count {
            let c = bytes[at]
            if c == UInt8(ascii: "\"") {
                let s = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
                at += 1
                return s
            }
            if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
            at += 1
        }
        return nil
    }

    private mutating func bool() -> Bool? {
        skipWhitespace()
        if literal("true") { return true }
        if literal("false") { return false }
        return nil
    }

    private mutating func integer() -> Int? {
        guard case .integer(let v) = number(), let i = Int(exactly: v) else { return nil }
        return i
    }

    enum Number {
        case integer(Int64)
        /// `integral`: written with a fraction or exponent but a whole number, which `JSONDecoder`
        /// may read as an integer.
        case floating(Double, integral: Bool)
    }

    /// A number in JSON's grammar: digits alone that fit in Int64 are an integer, like
    /// `JSONScalar`'s decoding; anything else a finite double.
    private mutating func number() -> Number? {
        skipWhitespace()
        let start = at
        _ = consume(UInt8(ascii: "-"))
        guard let first = peek(), isDigit(first) else { return nil }
        at += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        var plain = true
        if consume(UInt8(ascii: ".")) {
            plain = false
            guard let d = peek(), isDigit(d) else { return nil }
            skipDigits()
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            plain = false
            at += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { at += 1 }
            guard let d = peek(), isDigit(d) else { return nil }
            skipDigits()
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        if plain, let v = Int64(text) { return .integer(v) }
        guard let v = Double(text), v.isFinite else { return nil }
        return .floating(v, integral: !plain && v == v.rounded() && abs(v) < 0x1p63)
    }

    /// Skips any value of a key this reader ignores, as `JSONDecoder` ignores unknown keys.
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth < 32 else { return false }
        skipWhitespace()
        guard let c = peek() else { return false }
        switch c {
        case UInt8(ascii: "{"): return object { _, scanner in scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            var none: Void = ()
            return array(into: &none) { scanner, _ in scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return bool() != nil
        default: return number() != nil
        }
    }

    private func peek() -> UInt8? { at < bytes.count ? bytes[at] : nil }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let c = peek(), isDigit(c) { at += 1 }
    }

    private mutating func consume(_ c: UInt8) -> Bool {
        guard peek() == c else { return false }
        at += 1
        return true
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard at + n <= bytes.count else { return false }
        for i in 0..<n where bytes[at + i] != word.utf8Start[i] { return false }
        at += n
        return true
    }

    private mutating func skipWhitespace() {
        while let c = peek(), c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { at += 1 }
    }
}
