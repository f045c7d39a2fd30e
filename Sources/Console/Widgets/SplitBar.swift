import NightjarCore

/// An endpoint's split as a bar: the stable version solid (█, role stable), every other version
/// shaded (▒, role canary), so the two read apart with and without colour.
enum SplitBar {
    static func segments(_ weights: [TrafficWeight], stable: SemVer?, width: Int) -> [(text: String, role: Role)] {
        guard width > 0 else { return [] }
        let shown = weights.filter { $0.weight > 0 }
        var cells = shown.map { Int((Double($0.weight) * Double(width) / 100).rounded()) }
        // Any version with traffic gets at least one cell, however small its share.
        for i in cells.indices where cells[i] == 0 { cells[i] = 1 }
        // Rounding may overshoot or fall short: the largest share absorbs the difference.
        if let largest = cells.indices.max(by: { cells[$0] < cells[$1] }) {
            cells[largest] = max(0, cells[largest] + width - cells.reduce(0, +))
        }
        var segments: [(String, Role)] = []
        for (weight, count) in zip(shown, cells) where count > 0 {
            let isStable = weight.version == stable
            segments.append((String(repeating: isStable ? "█" : "▒", count: count), isStable ? .stable : .canary))
        }
        if segments.isEmpty { segments.append((String(repeating: "░", count: width), .muted)) }
        return segments
    }

    @discardableResult
    static func draw(_ weights: [TrafficWeight], stable: SemVer?, width: Int, into buffer: inout CellBuffer, x: Int, y: Int) -> Int {
        var cx = x
        for segment in segments(weights, stable: stable, width: width) {
            // One glyph per segment: paint cells rather than build strings.
            guard let glyph = segment.text.unicodeScalars.first else { continue }
            for _ in 0..<segment.text.unicodeScalars.count {
                buffer[cx, y] = Cell(glyph, segment.role)
                cx += 1
            }
        }
        return cx - x
    }

    /// "1.0.0 80% · 1.1.0 20%" with each part in its role.
    @discardableResult
    static func legend(_ weights: [TrafficWeight], stable: SemVer?, into buffer: inout CellBuffer, x: Int, y: Int, maxWidth: Int) -> Int {
        var cx = x
        let end = x + maxWidth
        for (i, w) in weights.enumerated() where cx < end {
            if i > 0 { cx += buffer.put(" · ", x: cx, y: y, role: .muted, maxWidth: end - cx) }
            cx += buffer.put("\(w.version) \(w.weight)%", x: cx, y: y, role: w.version == stable ? .stable : .canary, maxWidth: end - cx)
        }
        return cx - x
    }
}
