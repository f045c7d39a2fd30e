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
            key("id", &out)
            guard string(id, &out) else { return nil }
            out.append(UInt8(ascii: ","))
        }
        key("model_name", &out)
        guard string(answer.model_name, &out) else { return nil }
        out.append(UInt8(ascii: ","))
        key("model_version", &out)
        guard string(answer.model_version, &out) else { return nil }
        out.append(UInt8(ascii: ","))
        key("outputs", &out)
        out.append(UInt8(ascii: "["))
        for (i, output) in answer.outputs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            guard write(output, &out) else { return nil }
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    private static func write(_ output: OIPInferAnswer.Output, _ out: inout [UInt8]) -> Bool {
        out.append(UInt8(ascii: "{"))
        if let data = output.data {
            key("data", &out)
            out.append(UInt8(ascii: "["))
            for (i, e) in data.elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                guard scalar(e, &out) else { return false }
            }
            out.append(contentsOf: "],".utf8)
        }
        key("datatype", &out)
        guard string(output.datatype, &out) else { return false }
        out.append(UInt8(ascii: ","))
        key("name", &out)
        guard string(output.name, &out) else { return false }
        out.append(UInt8(ascii: ","))
        if let parameters = output.parameters {
            out.append(contentsOf: #""parameters":{"binary_data_size":"#.utf8)
            out.append(contentsOf: String(parameters.binary_data_size).utf8)
            out.append(contentsOf: "},".utf8)
        }
        key("shape", &out)
        out.append(UInt8(ascii: "["))
        for (i, d) in output.shape.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: String(d).utf8)
        }
        out.append(contentsOf: "]}".utf8)
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
