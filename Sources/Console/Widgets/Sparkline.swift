/// A one-line chart of recent values, scaled to the largest one shown.
enum Sparkline {
    static let levels: [Unicode.Scalar] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// Paints `squeezed(values, width:)` straight into cells: it runs for every row of every frame.
    static func draw(_ values: [Double], width: Int, into buffer: inout CellBuffer, x: Int, y: Int, role: Role) {
        guard width > 0, !values.isEmpty else { return }
        let perCell = samplesPerCell(count: values.count, width: width)
        let cellsUsed = min(width, (values.count + perCell - 1) / perCell)
        var top = 0.0
        for v in values.suffix(cellsUsed * perCell) where v > top { top = v }
        var end = values.count
        for cell in stride(from: cellsUsed - 1, through: 0, by: -1) {
            let start = max(0, end - perCell)
            var peak = 0.0
            for v in values[start..<end] where v > peak { peak = v }
            let level = top > 0 ? min(levels.count - 1, max(0, Int((peak / top) * Double(levels.count - 1) + 0.5))) : 0
            buffer[x + cell, y] = Cell(levels[level], role)
            end = start
        }
    }

    /// The last `width` values, one per cell.
    static func text(_ values: [Double], width: Int) -> String {
        render(Array(values.suffix(max(0, width))))
    }

    /// All of `values` squeezed into at most `width` cells, each cell the largest value of its
    /// bucket: a spike of one second still shows in five minutes drawn in sixty cells.
    static func squeezed(_ values: [Double], width: Int) -> String {
        guard width > 0, values.count > width else { return render(values) }
        let perCell = (values.count + width - 1) / width
        // Buckets are aligned to the newest value, so the rightmost cell is always "now".
        var buckets: [Double] = []
        var end = values.count
        while end > 0 && buckets.count < width {
            let start = max(0, end - perCell)
            buckets.append(values[start..<end].max() ?? 0)
            end = start
        }
        return render(buckets.reversed())
    }

    /// How many samples one cell of `squeezed` stands for.
    static func samplesPerCell(count: Int, width: Int) -> Int {
        width > 0 && count > width ? (count + width - 1) / width : 1
    }

    private static func render(_ shown: [Double]) -> String {
        var text = String.UnicodeScalarView()
        guard let top = shown.max(), top > 0 else {
            text.append(contentsOf: Array(repeating: levels[0], count: shown.count))
            return String(text)
        }
        text.append(contentsOf: shown.map { v in
            levels[min(levels.count - 1, max(0, Int((v / top) * Double(levels.count - 1) + 0.5)))]
        })
        return String(text)
    }
}
