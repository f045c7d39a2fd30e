import Dispatch
import Foundation

/// Waits for SIGINT or SIGTERM so a long-running command can shut down cleanly instead of dying mid-request.
enum Termination {
    static func wait() async {
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            // The handler holds its own source so it stays installed for the life of the process.
            source.setEventHandler { [source] in
                _ = source
                continuation.yield(sig)
            }
            source.resume()
        }
        for await _ in signals { return }
    }
}
