import NightjarCore

/// One drift column enlarged: its verdict and why, every statistic computed, and per bin the
/// reference share (▒, muted) against the live share (█) as bars with their percentages. A bin
/// whose live share moved five points or more, or that has live values where the reference had
/// none, is marked ↑ or ↓.
enum DriftColumnView {
    /// A move of this many shares (five points) in one bin is marked.
    static let markedShift = 0.05

    static func render(_ state: AppState, _ endpoint: EndpointStatus, _ version: EndpointStatus.VersionStatus,
                       _ column: DriftColumnReport, into buffer: inout CellBuffer, area: Rect) {
        let role = version.version == endpoint.stableVersion ? "stable" : "canary"
        let title = "\(column.name) · \(column.role.rawValue) · \(column.kind.rawValue) · \(version.version) \(role)"
        let inner = PanelFrame.draw(title, feed: state.endpointsFeed, focused: true, into: &buffer, area: area)
        guard inner.height >= 1, inner.width >= 10 else { return }
        let end = inner.x + inner.width
        var y = inner.y
        let bottom = inner.y + inner.height

        let verdict = HealthSymbol.of(column.verdict)
        var x = inner.x + 1
        x += buffer.put("\(verdict.symbol) \(verdict.word)  ", x: x, y: y, role: verdict.role, maxWidth: end - x)
        let why = column.reasons.isEmpty
            ? (column.verdict == .notEnoughData ? "too few values to judge: wait for traffic" : "within every threshold")
            : column.reasons.joined(separator: " · ")
        buffer.put(why, x: x, y: y, role: .text, maxWidth: end - x)
        y += 1
        if y < bottom {
            buffer.put(statistics(column.statistics), x: inner.x + 1, y: y, role: .text, maxWidth: inner.width - 1)
            y += 1
        }
        if y < bottom {
            let counts = "live \(column.liveCount) values, \(column.liveMissing) missing · reference \(column.referenceCount), "
                + "\(column.referenceMissing) missing"
            buffer.put(counts, x: inner.x + 1, y: y, role: .muted, maxWidth: inner.width - 1)
            y += 1
        }
        guard y < bottom else { return }
        bins(column.histogram, into: &buffer, area: Rect(x: inner.x, y: y, width: inner.width, height: bottom - y))
    }

    /// "PSI 1.12 · JS 0.41 · χ² 2302 (p 0) · KS D 0.38 (p 3.1e-12) · W1 2.00": what was computed.
    static func statistics(_ s: DriftStatistics) -> String {
        var parts: [String] = []
        if let v = s.psi { parts.append("PSI \(DriftTable.value(v))") }
        if let v = s.jensenShannon { parts.append("JS \(DriftTable.value(v))") }
        if let v = s.chiSquared { parts.append("χ² \(DriftTable.value(v))" + (s.chiSquaredPValue.map { " (p \(pValue($0)))" } ?? "")) }
        if let v = s.ksStatistic { parts.append("KS D \(DriftTable.value(v))" + (s.ksPValue.map { " (p \(pValue($0)))" } ?? "")) }
        if let v = s.wasserstein { parts.append("W1 \(DriftTable.value(v))") }
        return parts.isEmpty ? "no statistic computed (a side has no values)" : parts.joined(separator: " · ")
    }

    /// p-values span many orders of magnitude: scientific notation below 0.001.
    static func pValue(_ p: Double) -> String {
        guard p > 0 else { return "0" }
        if p >= 0.001 { return Format.fixed(p, decimals: 3) }
        var exponent = 0
        var mantissa = p
        while mantissa < 1 { mantissa *= 10; exponent -= 1 }
        return Format.fixed(mantissa, decimals: 1) + "e\(exponent)"
    }

    static func bins(_ histogram: DriftHistogram, into buffer: inout CellBuffer, area: Rect) {
        let count = min(histogram.labels.count, histogram.reference.count, histogram.live.count)
        let labelWidth = max(3, min(18, histogram.labels.prefix(count).map(\.count).max() ?? 0))
        // label, two bars each followed by its percentage (7) and the live one by its mark (3).
        let barWidth = max(1, (area.width - 1 - labelWidth - 2 - 7 - 1 - 7 - 3) / 2)
        let referenceX = area.x + 1 + labelWidth + 2
        let liveX = referenceX + barWidth + 7 + 1
        let end = area.x + area.width
        buffer.put(Format.pad("BIN", labelWidth), x: area.x + 1, y: area.y, role: .muted, maxWidth: end - area.x - 1)
        buffer.put("REFERENCE ▒", x: referenceX, y: area.y, role: .muted, maxWidth: end - referenceX)
        buffer.put("LIVE █", x: liveX, y: area.y, role: .muted, maxWidth: end - liveX)
        let top = max(histogram.reference.prefix(count).max() ?? 0, histogram.live.prefix(count).max() ?? 0)
        let rows = area.height - 1
        let shown = count > rows ? max(0, rows - 1) : count
        for i in 0..<shown {
            let y = area.y + 1 + i
            let reference = histogram.reference[i], live = histogram.live[i]
            buffer.put(Format.pad(histogram.labels[i], labelWidth), x: area.x + 1, y: y, maxWidth: end - area.x - 1)
            bar(reference, top: top, width: barWidth, glyph: "▒", role: .muted, into: &buffer, x: referenceX, y: y, end: end)
            bar(live, top: top, width: barWidth, glyph: "█", role: .text, into: &buffer, x: liveX, y: y, end: end)
            if abs(live - reference) >= markedShift || (reference == 0 && live > 0) {
                buffer.put(live > reference ? "↑" : "↓", x: liveX + barWidth + 8, y: y, role: .warn, maxWidth: end - liveX - barWidth - 8)
            }
        }
        if shown < count {
            buffer.put("… \(count - shown) more bins", x: area.x + 1, y: area.y + 1 + shown, role: .muted, maxWidth: end - area.x - 1)
        }
    }

    /// A share as a bar scaled to `top` and its percentage; any share at all gets one cell.
    static func bar(_ share: Double, top: Double, width: Int, glyph: Unicode.Scalar, role: Role,
                    into buffer: inout CellBuffer, x: Int, y: Int, end: Int) {
        let cells = top > 0 && share > 0 ? max(1, Int((share / top * Double(width)).rounded())) : 0
        for i in 0..<min(cells, width) where x + i < end { buffer[x + i, y] = Cell(glyph, role) }
        buffer.put(Format.pad(Format.percent(share), 6, right: true), x: x + width + 1, y: y, role: role == .muted ? .muted : .text,
                   maxWidth: end - x - width - 1)
    }
}
