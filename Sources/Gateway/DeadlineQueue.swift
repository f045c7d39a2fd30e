import NIOCore

/// The deadlines of the predictions one event loop is forwarding, watched by one timer instead of a
/// scheduled task each. Scheduling and cancelling a task per prediction allocated several objects
/// and took the loop's task lock, which other threads contend for whenever they hand the loop work.
///
/// Every prediction's deadline is its arrival plus the router's one request timeout, so deadlines
/// come due in the order they were added: the timer only ever waits for the oldest prediction still
/// running. When it fires, the predictions past their deadline are told so, finished ones are
/// dropped, and it is set again for the next one running. Used only on its loop.
final class DeadlineQueue {
    private let eventLoop: any EventLoop
    private var waiting = CircularBuffer<(deadline: NIODeadline, forward: LoopForward)>()
    private var timer: Scheduled<Void>?
    /// Finished predictions stay in `waiting` until they reach its front or a compaction drops them;
    /// it runs when `waiting` has doubled since the last one, so a slow prediction at the front
    /// holds at most about twice what is running, at a cost of one pass per doubling.
    private var compactAt = 64

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Watches `forward` until it finishes or `deadline` passes.
    func add(_ forward: LoopForward, deadline: NIODeadline) {
        while let first = waiting.first, first.forward.isFinished { waiting.removeFirst() }
        waiting.append((deadline, forward))
        if waiting.count >= compactAt {
            waiting = CircularBuffer(waiting.filter { !$0.forward.isFinished })
            compactAt = max(64, 2 * waiting.count)
        }
        if timer == nil { arm(at: deadline) }
    }

    private func arm(at deadline: NIODeadline) {
        timer = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            self?.fire()
        }
    }

    private func fire() {
        timer = nil
        let now = NIODeadline.now()
        while let first = waiting.first {
            if first.forward.isFinished {
                waiting.removeFirst()
            } else if first.deadline <= now {
                waiting.removeFirst()
                first.forward.deadlinePassed()
            } else {
                arm(at: first.deadline)
                return
            }
        }
    }
}
