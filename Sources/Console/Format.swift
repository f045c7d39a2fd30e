import Foundation

/// How numbers and times are written everywhere in the console, so columns line up and agree.
enum Format {
    /// "12:04:31", in UTC, computed without a DateFormatter: it runs for every frame.
    static func clock(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = ((seconds % 86_400) + 86_400) % 86_400
        return twoDigits(day / 3600) + ":" + twoDigits((day / 60) % 60) + ":" + twoDigits(day % 60)
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Milliseconds with the precision that matters at that scale.
    static func latency(_ ms: Double) -> String {
        ms < 10 ? fixed(ms, decimals: 2) : ms < 100 ? fixed(ms, decimals: 1) : fixed(ms, decimals: 0)
    }

    /// A fraction as a percentage: 0.068 → "6.8%".
    static func percent(_ fraction: Double) -> String { fixed(fraction * 100, decimals: 1) + "%" }

    static func rate(_ perSecond: Double) -> String { fixed(perSecond, decimals: 1) }

    /// `value` rounded to `decimals` places, like "%.Nf" but without Foundation's format parser,
    /// which costs microseconds per call on Linux and runs hundreds of times per frame.
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        guard abs(value) < 1e15 else { return String(format: "%.\(decimals)f", value) }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let unit = Int64(scale)
        let whole = scaled / unit
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(whole) }
        let fraction = String(scaled % unit)
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// "42 s", "3 min 5 s", "1 h 2 min": how long until or since something.
    static func duration(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds.rounded()))
        if s < 60 { return "\(s) s" }
        if s < 3600 { return s % 60 == 0 ? "\(s / 60) min" : "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \((s / 60) % 60) min"
    }

    /// "512 KiB", "96.0 MiB", "1.2 GiB": memory in binary units.
    static func bytes(_ n: Int) -> String {
        let v = Double(n)
        if v < 1024 * 1024 { return fixed(v / 1024, decimals: 0) + " KiB" }
        if v < 1024 * 1024 * 1024 { return fixed(v / 1024 / 1024, decimals: 1) + " MiB" }
        return fixed(v / 1024 / 1024 / 1024, decimals: 1) + " GiB"
    }

    /// A worker's address in at most `width` cells: without the `http://` every worker has, and when
    /// still too long, the host cut short with "…" rather than the port, which tells workers on one
    /// host apart.
    static func address(_ url: String, width: Int) -> String {
        let width = max(0, width)
        let bare = url.hasPrefix("http://") ? String(url.dropFirst("http://".count)) : url
        guard bare.count > width else { return bare }
        guard let colon = bare.lastIndex(of: ":"), width >= 2 else { return String(bare.prefix(width)) }
        let port = bare[colon...]
        let hostRoom = width - port.count - 1
        guard hostRoom >= 1 else { return String(bare.prefix(width - 1)) + "…" }
        return String(bare[..<colon].prefix(hostRoom)) + "…" + String(port)
    }

    /// A drift column's name in at most `width` cells: cut in the middle with "…" so its index stays
    /// (`features[12]` → `fea…[12]`), since the columns of one input differ only there; a name without
    /// an index is cut at the end (`probability` → `proba…`).
    static func columnName(_ name: String, width: Int) -> String {
        let width = max(0, width)
        guard name.count > width else { return name }
        guard width >= 2 else { return String(name.prefix(width)) }
        if let open = name.lastIndex(of: "["), name.hasSuffix("]") {
            let index = name[open...]
            if index.count < width { return String(name[..<open].prefix(width - 1 - index.count)) + "…" + index }
            return "…" + String(index.suffix(width - 1))
        }
        return String(name.prefix(width - 1)) + "…"
    }

    /// Pads or cuts to exactly `width` cells, as `CellBuffer` counts them: a wide character takes
    /// two (`DisplayWidth`), so a column of model names stays a column whatever script they use.
    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        guard width > 0 else { return "" }
        var cut = String.UnicodeScalarView()
        var used = 0
        for scalar in text.unicodeScalars {
            let cells = DisplayWidth.of(CellBuffer.shown(scalar))
            guard used + cells <= width else { break }
            cut.append(scalar)
            used += cells
        }
        let space = String(repeating: " ", count: width - used)
        return right ? space + String(cut) : String(cut) + space
    }
}
