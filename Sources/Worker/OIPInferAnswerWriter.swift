import NightjarCore

/// Writes an `OIPInferAnswer` as JSON by hand, byte for byte what `WireJSON.encoder()` makes of it
/// (sorted keys, `nil` fields left out, `/` escaped, whole doubles without `.0`, NaN and infinities
/// as strings), because building it through `JSONEncoder` cost more than the model's call.
///
/// Only answers whose strings are plain ASCII needing no escape are written here; for any other
/// `bytes(of:)` returns nil and the caller uses the encoder.
enum OIPInferAnswerWriter {
    static func bytes(of answer: OIPInferAnswer) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(128 + answer.outputs.reduce(0) { $0 + 24 * ($1.data?.elements.count ?? 0) })
        out.append(UInt8(ascii: "{"))
        if let id = answer.id {
            guard field("id", id, &out) else { return nil }
        }
        guard field("model_name", answer.model_name, &out), field("model_version", answer.model_version, &out) else { return nil }
        key("outputs", &out)
        guard list(answer.outputs, &out, write) else { return nil }
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func write(_ output: OIPInferAnswer.Output, _ out: inout [UInt8]) -> Bool {
        out.append(UInt8(ascii: "{"))
        if let data = output.data {
            key("data", &out)
            guard list(data.elements, &out, scalar) else { return false }
            out.append(UInt8(ascii: ","))
        }
        guard field("datatype", output.datatype, &out), field("name", output.name, &out) else { return false }
        if let parameters = output.parameters {
            out.append(contentsOf: #""parameters":{"binary_data_size":"#.utf8)
            out.append(contentsOf: String(parameters.binary_data_size).utf8)
            out.append(contentsOf: "},".utf8)
        }
        key("shape", &out)
        _ = list(output.shape, &out) { d, out in
            out.append(contentsOf: String(d).utf8)
            return true
        }
        out.append(UInt8(ascii: "}"))
        return true
    }

    /// `[a,b,...]`; false as soon as one element cannot be written.
    private static func list<T>(_ items: [T], _ out: inout [UInt8], _ element: (T, inout [UInt8]) -> Bool) -> Bool {
        out.append(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            guard element(item, &out) else { return false }
        }
        out.append(UInt8(ascii: "]"))
        return true
    }

    private static func scalar(_ e: JSONScalar, _ out: inout [UInt8]) -> Bool {
        switch e {
        case .int(let v): out.append(contentsOf: String(v).utf8)
        case .bool(let v): out.append(contentsOf: (v ? "true" : "false").utf8)
        case .string(let v): return string(v, &out)
        case .double(let v):
            if v.isNaN { out.append(contentsOf: #""NaN""#.utf8) }
            else if v == .infinity { out.append(contentsOf: #""Infinity""#.utf8) }
            else if v == -.infinity { out.append(contentsOf: #""-Infinity""#.utf8) }
            else {
                // JSONEncoder writes a double's `description` less a trailing ".0".
                var text = v.description
                if text.hasSuffix(".0") { text.removeLast(2) }
                out.append(contentsOf: text.utf8)
            }
        }
        return true
    }

    /// `"name":"value",`
    private static func field(_ name: StaticString, _ value: String, _ out: inout [UInt8]) -> Bool {
        key(name, &out)
        guard string(value, &out) else { return false }
        out.append(UInt8(ascii: ","))
        return true
    }

    private static func key(_ name: StaticString, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        out.append(contentsOf: "\":".utf8)
    }

    /// False for a string JSONEncoder would escape (quote, backslash, slash, control characters)
    /// or that is not plain ASCII.
    private static func string(_ s: String, _ out: inout [UInt8]) -> Bool {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            guard c >= 0x20, c < 0x7F, c != UInt8(ascii: "\""), c != UInt8(ascii: "\\"), c != UInt8(ascii: "/") else { return false }
            out.append(c)
        }
        out.append(UInt8(ascii: "\""))
        return true
    }
}
