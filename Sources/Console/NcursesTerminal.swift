import CNcurses
import Foundation
import Synchronization

/// The real terminal, through ncurses. The only file that touches ncurses.
///
/// ncurses is not thread-safe, and keys are read on their own thread while frames are drawn from
/// the console loop, so every call goes through one mutex. Reads use a short timeout, which bounds
/// how long a draw can wait for the lock.
public final class NcursesTerminal: Terminal {
    private struct State {
        var previous: CellBuffer?
        var pairs: [Role: Int32] = [:]
        var themeName: String?
        var active = true
    }

    private let state = Mutex(State())

    public init() {
        setlocale(LC_ALL, "")
        initscr()
        cbreak()
        noecho()
        nonl()
        keypad(nj_stdscr(), true)
        curs_set(0)
        // Escape alone should feel instant, not wait for a possible escape sequence.
        set_escdelay(25)
        if has_colors() {
            start_color()
            use_default_colors()
        }
    }

    public var size: (width: Int, height: Int) {
        state.withLock { _ in (Int(nj_cols()), Int(nj_lines())) }
    }

    public func draw(_ buffer: CellBuffer, theme: Theme) {
        state.withLock { s in
            guard s.active else { return }
            if s.themeName != theme.name {
                s.pairs = Self.installPairs(theme)
                s.themeName = theme.name
                s.previous = nil
            }
            // After a resize, or on the first frame, every cell is written.
            let previous = s.previous.flatMap { $0.width == buffer.width && $0.height == buffer.height ? $0 : nil }
            if previous == nil { werase(nj_stdscr()) }
            for y in 0..<buffer.height {
                var x = 0
                while x < buffer.width {
                    let cell = buffer[x, y]
                    // A continuation is drawn by the wide character before it, which the terminal
                    // draws two cells wide; it is never written on its own.
                    if cell.isContinuation || previous?[x, y] == cell { x += 1; continue }
                    // Write the run of changed cells that share a role in one call.
                    var run = String.UnicodeScalarView()
                    run.append(cell.character)
                    var end = x + 1
                    while end < buffer.width, buffer[end, y].role == cell.role,
                          buffer[end, y].isContinuation || (previous.map({ $0[end, y] != buffer[end, y] }) ?? true) {
                        if !buffer[end, y].isContinuation { run.append(buffer[end, y].character) }
                        end += 1
                    }
                    let attributes = Self.attributes(theme.style(cell.role), pair: s.pairs[cell.role] ?? 0)
                    wattrset(nj_stdscr(), attributes)
                    // The last cell of the screen cannot be written without scrolling; skip it.
                    if y == buffer.height - 1 && end == buffer.width { run.removeLast() }
                    mvaddstr(Int32(y), Int32(x), String(run))
                    x = end
                }
            }
            wattrset(nj_stdscr(), 0)
            refresh()
            s.previous = buffer
        }
    }

    public func readInput(timeoutMs: Int) -> TerminalInput? {
        state.withLock { s -> TerminalInput? in
            guard s.active else { return nil }
            wtimeout(nj_stdscr(), Int32(timeoutMs))
            var ch: wint_t = 0
            let kind = wget_wch(nj_stdscr(), &ch)
            switch kind {
            case KEY_CODE_YES:
                switch Int32(ch) {
                case KEY_RESIZE:
                    s.previous = nil
                    return .resized(width: Int(nj_cols()), height: Int(nj_lines()))
                case KEY_UP: return .key(.up)
                case KEY_DOWN: return .key(.down)
                case KEY_LEFT: return .key(.left)
                case KEY_RIGHT: return .key(.right)
                case KEY_PPAGE: return .key(.pageUp)
                case KEY_NPAGE: return .key(.pageDown)
                case KEY_HOME: return .key(.home)
                case KEY_END: return .key(.end)
                case KEY_ENTER: return .key(.enter)
                case KEY_BACKSPACE: return .key(.backspace)
                default: return nil
                }
            case OK:
                switch ch {
                case 12:
                    // Ctrl-L, as in a shell: forget what is on screen and paint every cell again, as
                    // after a resize — the repair for a screen something else wrote on.
                    s.previous = nil
                    clearok(nj_stdscr(), true)
                    return .resized(width: Int(nj_cols()), height: Int(nj_lines()))
                case 9: return .key(.tab)
                case 10, 13: return .key(.enter)
                case 27: return .key(.escape)
                case 127, 8: return .key(.backspace)
                default:
                    guard let scalar = Unicode.Scalar(UInt32(ch)) else { return nil }
                    return .key(.character(Character(scalar)))
                }
            default:
                return nil
            }
        }
    }

    public var supportsColor: Bool { state.withLock { _ in has_colors() } }

    public func bell() {
        state.withLock { s in
            guard s.active else { return }
            beep()
        }
    }

    public func copyToClipboard(_ text: String) {
        state.withLock { s in
            guard s.active else { return }
            // Written past ncurses, straight to the terminal: ncurses has no call for OSC sequences.
            refresh()
            let sequence = OSC52.sequence(for: text)
            _ = sequence.withCString { write(STDOUT_FILENO, $0, strlen($0)) }
        }
    }

    public func shutdown() {
        state.withLock { s in
            guard s.active else { return }
            s.active = false
            endwin()
        }
    }

    private static func installPairs(_ theme: Theme) -> [Role: Int32] {
        guard has_colors() else { return [:] }
        var pairs: [Role: Int32] = [:]
        for (i, role) in Role.allCases.enumerated() {
            let style = theme.style(role)
            let n = Int32(i + 1)
            init_pair(Int16(n), color(style.foreground), color(style.background))
            pairs[role] = n
        }
        return pairs
    }

    private static func color(_ c: Theme.Color) -> Int16 {
        switch c {
        case .default: -1
        case .black: Int16(COLOR_BLACK)
        case .red: Int16(COLOR_RED)
        case .green: Int16(COLOR_GREEN)
        case .yellow: Int16(COLOR_YELLOW)
        case .blue: Int16(COLOR_BLUE)
        case .magenta: Int16(COLOR_MAGENTA)
        case .cyan: Int16(COLOR_CYAN)
        case .white: Int16(COLOR_WHITE)
        }
    }

    private static func attributes(_ style: Theme.Style, pair: Int32) -> Int32 {
        var a = pair > 0 ? nj_color_pair(pair) : 0
        if style.bold { a |= nj_a_bold() }
        if style.underline { a |= nj_a_underline() }
        if style.reverse { a |= nj_a_reverse() }
        if style.dim { a |= nj_a_dim() }
        return a
    }
}
