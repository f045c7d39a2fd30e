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
    }

    private let state: Mutex<State>

    public init(width: Int, height: Int, inputs: [TerminalInput] = []) {
        state = Mutex(State(width: width, height: height, inputs: inputs))
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

    public func send(_ input: TerminalInput) { state.withLock { $0.inputs.append(input) } }
    public var frames: [CellBuffer] { state.withLock { $0.frames } }
    public var lastFrameText: String { state.withLock { $0.frames.last?.text() ?? "" } }
    public var isShutDown: Bool { state.withLock { $0.isShutDown } }
}
