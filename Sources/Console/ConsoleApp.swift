import Dispatch
import Foundation
import Synchronization

/// The console's one loop: every input, tick and fetched result arrives as an Action on one
/// stream; the loop reduces, starts the effects as tasks, and draws a fresh frame.
/// Nothing in the loop waits on the network.
public enum ConsoleApp {
    /// What the loop's one stream carries: actions, and the marker that draws a frame once the
    /// actions queued before it are reduced, so a burst of results costs one frame, not one each.
    enum Event: Sendable {
        case action(Action)
        case draw
    }

    public static func run(terminal: some Terminal, theme: Theme, state initial: AppState,
                           runner: some EffectRunner, tickInterval: Duration = .seconds(1)) async {
        let (events, continuation) = AsyncStream<Event>.makeStream()
        let stopped = Mutex(false)

        // Keys are read on a thread of their own: ncurses blocks in its read call.
        let reader = Thread {
            while !stopped.withLock({ $0 }) {
                switch terminal.readInput(timeoutMs: 40) {
                case .key(let key)?: continuation.yield(.action(.key(key)))
                case .resized(let w, let h)?: continuation.yield(.action(.resize(width: w, height: h)))
                case nil: break
                }
            }
        }
        reader.start()
        let ticker = Task {
            while !Task.isCancelled {
                continuation.yield(.action(.tick(Date())))
                try? await Task.sleep(for: tickInterval)
            }
        }
        let signals = SignalActions.install { continuation.yield(.action(.quit)) }

        var state = initial
        let size = terminal.size
        state.width = size.width
        state.height = size.height
        terminal.draw(Screen.render(state), theme: theme)
        var drawPending = false
        for await event in events {
            guard case .action(let action) = event else {
                drawPending = false
                terminal.draw(Screen.render(state), theme: theme)
                continue
            }
            for effect in reduce(&state, action) {
                switch effect {
                case .ringBell:
                    terminal.bell()
                case .copyToClipboard(let text):
                    terminal.copyToClipboard(text)
                    let file = state.options.clipboardFile
                    Task { continuation.yield(.action(.copied(Clipboard.write(text, to: file)))) }
                default:
                    Task { continuation.yield(.action(await runner.perform(effect))) }
                }
            }
            if state.shouldQuit { break }
            if !drawPending {
                drawPending = true
                continuation.yield(.draw)
            }
        }
        ticker.cancel()
        signals.cancel()
        stopped.withLock { $0 = true }
        terminal.shutdown()
    }
}

/// Copied lines also go to a file, for terminals (or tmux setups) that ignore OSC 52.
enum Clipboard {
    static func write(_ text: String, to path: String?) -> Result<String, FetchFailure> {
        let lines = text.split(separator: "\n").count
        let what = "copied \(lines) line\(lines == 1 ? "" : "s") to the terminal clipboard"
        guard let path else { return .success(what) }
        do {
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
            return .success("\(what) and to \(path)")
        } catch {
            return .failure(FetchFailure("cannot write \(path): \(error.localizedDescription)"))
        }
    }
}

/// SIGINT, SIGTERM and SIGHUP (the SSH session or terminal went away) become a quit action, so the
/// terminal is always restored on the way out and a console whose terminal is gone does not linger.
struct SignalActions {
    let sources: [DispatchSourceSignal]

    static func install(_ handler: @escaping @Sendable () -> Void) -> SignalActions {
        let sources = [SIGINT, SIGTERM, SIGHUP].map { sig -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
        return SignalActions(sources: sources)
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
