/// A place to show frames and read keys. The ncurses backend is the real one; tests use MemoryTerminal.
public protocol Terminal: AnyObject, Sendable {
    /// Columns and rows right now.
    var size: (width: Int, height: Int) { get }
    /// Shows a frame, writing only the cells that differ from the previous one.
    func draw(_ buffer: CellBuffer, theme: Theme)
    /// The next key, or nil after `timeoutMs` without one. A terminal resize is reported as `resized`.
    func readInput(timeoutMs: Int) -> TerminalInput?
    /// Restores the terminal to how it was.
    func shutdown()
}

public enum TerminalInput: Sendable, Equatable {
    case key(Key)
    case resized(width: Int, height: Int)
}
