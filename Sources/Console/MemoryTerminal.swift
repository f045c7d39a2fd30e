import Foundation
import Synchronization

/// A terminal in memory for tests: scripted input, recorded frames.
public final class MemoryTerminal: Terminal {
    private struct State {
        var width: Int
        var height: Int
        var inputs: [TerminalInput]
        var frames: [CellBuffer] = []
        var isShutDown = false
        var bells = 0
        var clipboard: [String] = []
    }

    private let state: Mutex<State>

    public let supportsColor: Bool

    public init(width: Int, height: Int, inputs: [TerminalInput] = [], supportsColor: Bool = true) {
        state = Mutex(State(width: width, height: height, inputs: inputs))
        self.supportsColor = supportsColor
    }

    public var size: (width: Int, height: Int) { state.withLock { ($0.width, $0.height) } }

    public func draw(_ buffer: CellBuffer, theme: Theme) {
        state.withLock { $0.frames.append(buffer) }
    }

    public func readInput(timeoutMs: Int) -> TerminalInput? {
        let next = state.withLock { s -> TerminalInput? in s.inputs.isEmpty ? nil : s.inputs.removeFirst() }
        if next == nil { usleep(UInt32(max(1, timeoutMs)) * 1000) }
        if case .resized(let w, let h) = next { state.withLock { $0.width = w; $0.height = h } }
        return next
    }

    public func shutdown() { state.withLock { $0.isShutDown = true } }
    public func bell() { state.withLock { $0.bells += 1 } }
    public func copyToClipboard(_ text: String) { state.withLock { $0.clipboard.append(OSC52.sequence(for: text)) } }

    public func send(_ input: TerminalInput) { state.withLock { $0.inputs.append(input) } }
    public var frames: [CellBuffer] { state.withLock { $0.frames } }
    public var lastFrameText: String { state.withLock { $0.frames.last?.text() ?? "" } }
    public var isShutDown: Bool { state.withLock { $0.isShutDown } }
    public var bells: Int { state.withLock { $0.bells } }
    /// The OSC 52 sequences written, as the real terminal would have received them.
    public var clipboardWrites: [String] { state.withLock { $0.clipboard } }
}
