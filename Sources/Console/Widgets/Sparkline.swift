/// A one-line chart of recent values, scaled to the largest one shown.
enum Sparkline {
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    static func text(_ values: [Double], width: Int) -> String {
        let shown = values.suffix(max(0, width))
        guard let top = shown.max(), top > 0 else { return String(repeating: "▁", count: shown.count) }
        return String(shown.map { v in
            levels[min(levels.count - 1, max(0, Int((v / top) * Double(levels.count - 1) + 0.5)))]
        })
    }
}
