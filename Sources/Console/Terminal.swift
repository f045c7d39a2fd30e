/// A place to show frames and read keys. The ncurses backend is the real one; tests use MemoryTerminal.
public protocol Terminal: AnyObject, Sendable {
    /// Columns and rows right now.
    var size: (width: Int, height: Int) { get }
    /// False on terminals without colour: the console then uses the mono theme.
    var supportsColor: Bool { get }
    /// Shows a frame, writing only the cells that differ from the previous one.
    func draw(_ buffer: CellBuffer, theme: Theme)
    /// The next key, or nil after `timeoutMs` without one. A terminal resize is reported as `resized`.
    func readInput(timeoutMs: Int) -> TerminalInput?
    /// Rings the bell once.
    func bell()
    /// Puts text on the clipboard of the terminal the operator sits at (OSC 52), which works over SSH.
    func copyToClipboard(_ text: String)
    /// Restores the terminal to how it was.
    func shutdown()
}

public enum TerminalInput: Sendable, Equatable {
    case key(Key)
    case resized(width: Int, height: Int)
}

/// The OSC 52 escape sequence that sets the clipboard: ESC ] 52 ; c ; base64 BEL.
public enum OSC52 {
    public static func sequence(for text: String) -> String {
        "\u{1B}]52;c;" + base64(Array(text.utf8)) + "\u{07}"
    }

    // Foundation's base64 would do, but this file stays free of Foundation for the terminal protocol.
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var i = 0
        while i < bytes.count {
            let b0 = Int(bytes[i])
            let b1 = i + 1 < bytes.count ? Int(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? Int(bytes[i + 2]) : 0
            out.append(alphabet[b0 >> 2])
            out.append(alphabet[((b0 & 3) << 4) | (b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[((b1 & 15) << 2) | (b2 >> 6)] : "=")
            out.append(i + 2 < bytes.count ? alphabet[b2 & 63] : "=")
            i += 3
        }
        return out
    }
}
