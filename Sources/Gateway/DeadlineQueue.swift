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
    /// Added and not yet finished; finished ones stay in `waiting` until they reach its front or a
    /// compaction drops them, so a slow prediction at the front does not hold every later one.
    private var running = 0

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Watches `forward` until it finishes (it calls `finished()`) or `deadline` passes.
    func add(_ forward: LoopForward, deadline: NIODeadline) {
        running += 1
        while let first = waiting.first, first.forward.isFinished { waiting.removeFirst() }
        waiting.append((deadline, forward))
        if waiting.count > 64, waiting.count > 4 * running {
            waiting = CircularBuffer(waiting.filter { !$0.forward.isFinished })
        }
        if timer == nil { arm(at: deadline) }
    }

    /// A watched prediction finished, by its answer or its deadline.
    func finished() {
        running -= 1
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
