import Foundation
import NightjarCore

/// One event as a line of plain text: what the timeline shows and what `y` copies.
enum EventLine {
    static func text(_ event: ControlEvent) -> String {
        "\(timestamp(event.at)) \(event.kind.rawValue) \(event.endpoint ?? "-") by \(event.actor): \(event.message)"
    }

    /// "2026-11-25 12:04:31Z", sortable and unambiguous in a pasted incident note.
    static func timestamp(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (y, m, d) = civil(fromDays: days)
        return String(format: "%04d-%02d-%02d ", y, m, d) + Format.clock(date) + "Z"
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
