import Foundation

/// How numbers and times are written everywhere in the console, so columns line up and agree.
enum Format {
    /// "12:04:31", in UTC, computed without a DateFormatter: it runs for every frame.
    static func clock(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = ((seconds % 86_400) + 86_400) % 86_400
        return String(format: "%02d:%02d:%02d", day / 3600, (day / 60) % 60, day % 60)
    }

    /// Milliseconds with the precision that matters at that scale.
    static func latency(_ ms: Double) -> String {
        ms < 10 ? String(format: "%.2f", ms) : ms < 100 ? String(format: "%.1f", ms) : String(format: "%.0f", ms)
    }

    /// A fraction as a percentage: 0.068 → "6.8%".
    static func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }

    static func rate(_ perSecond: Double) -> String { String(format: "%.1f", perSecond) }

    /// "42 s", "3 min 5 s", "1 h 2 min": how long until or since something.
    static func duration(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds.rounded()))
        if s < 60 { return "\(s) s" }
        if s < 3600 { return s % 60 == 0 ? "\(s / 60) min" : "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \((s / 60) % 60) min"
    }

    /// Pads or cuts to exactly `width` cells.
    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        guard width > 0 else { return "" }
        let cut = String(text.prefix(width))
        let space = String(repeating: " ", count: width - cut.count)
        return right ? space + cut : cut + space
    }
}
