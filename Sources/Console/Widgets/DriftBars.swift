import NightjarCore

/// Reference against live, bin by bin, small enough for a table row: per bin a reference cell
/// (muted) and a live cell (plain) whose block height is the bin's share, both scaled to the
/// largest share of the row, so where the two differ shows at a glance, colour or not.
enum DriftBars {
    /// Cells the bars take for `bins` bins in at most `width` cells: a gap between bins when it fits.
    static func layout(bins: Int, width: Int) -> (groups: Int, cellsPerGroup: Int) {
        guard bins > 0, width >= 2 else { return (0, 0) }
        if bins * 3 - 1 <= width { return (bins, 3) }
        return (min(bins, width / 2), 2)
    }

    /// Adjacent bins summed into `groups` groups (as even as the count allows), so a categorical
    /// column of fifty categories still fits a row; shares keep adding up to the same total.
    static func coarsened(_ shares: [Double], groups: Int) -> [Double] {
        guard groups > 0, shares.count > groups else { return shares }
        return (0..<groups).map { g in
            let start = g * shares.count / groups
            let end = (g + 1) * shares.count / groups
            return shares[start..<end].reduce(0, +)
        }
    }

    /// Draws the paired bars from (x, y) within `width` cells; returns the cells used.
    @discardableResult
    static func draw(_ histogram: DriftHistogram, width: Int, into buffer: inout CellBuffer, x: Int, y: Int) -> Int {
        let bins = min(histogram.reference.count, histogram.live.count)
        let (groups, perGroup) = layout(bins: bins, width: width)
        guard groups > 0 else { return 0 }
        let reference = coarsened(Array(histogram.reference.prefix(bins)), groups: groups)
        let live = coarsened(Array(histogram.live.prefix(bins)), groups: groups)
        let top = max(reference.max() ?? 0, live.max() ?? 0)
        for g in 0..<groups {
            let cx = x + g * perGroup
            buffer[cx, y] = Cell(glyph(reference[g], top: top), .muted)
            buffer[cx + 1, y] = Cell(glyph(live[g], top: top), .text)
        }
        return groups * perGroup - (perGroup == 3 ? 1 : 0)
    }

    /// An empty bin is a blank, any share at all at least the lowest block: "none" and "a little"
    /// must not look alike.
    static func glyph(_ share: Double, top: Double) -> Unicode.Scalar {
        guard share > 0, top > 0 else { return " " }
        let levels = Sparkline.levels
        return levels[min(levels.count - 1, max(0, Int((share / top) * Double(levels.count - 1) + 0.5)))]
    }
}
