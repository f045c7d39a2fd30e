import Foundation
import NightjarCore

/// Reads the worker's own CPU time and resident memory from `/proc/self` (Linux). Parsing is pure
/// so it is tested on fixed text; reading answers nil where `/proc` does not exist.
public enum ProcessStatsReader {
    public static func current() -> ProcessStats? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        return parse(stat: stat, statm: statm, ticksPerSecond: ticks > 0 ? ticks : 100, pageSize: page > 0 ? page : 4096)
    }

    /// `stat` is `pid (comm) state ppid …`; the command name may hold spaces and parentheses, so fields
    /// are counted after the last `)`. utime and stime are fields 14 and 15, num_threads field 20 (proc(5)).
    /// `statm` is `size resident shared …` in pages.
    public static func parse(stat: String, statm: String, ticksPerSecond: Double, pageSize: Int) -> ProcessStats? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        guard fields.count > 17, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        let threads = Int(fields[17])
        let pages = statm.split(separator: " ", omittingEmptySubsequences: true)
        guard pages.count > 1, let resident = Int(pages[1].trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        return ProcessStats(cpuSeconds: (utime + stime) / ticksPerSecond, residentMemoryBytes: resident * pageSize, threads: threads)
    }
}
