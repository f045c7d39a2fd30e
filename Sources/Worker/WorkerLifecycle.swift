import Synchronization

/// Where the worker is in its life, shared by the routes (readiness, admission) and the command
/// (warm-up, SIGTERM). Readiness is true only after the model loaded and a warm-up inference passed;
/// once draining, new inference requests are refused while those in flight finish.
public final class WorkerLifecycle: Sendable {
    public enum Phase: String, Sendable, Equatable {
        /// Loading the model or warming it up: live, not ready.
        case starting
        case ready
        /// Shutting down: finishing in-flight requests, refusing new ones.
        case draining
    }

    struct State {
        var phase: Phase = .starting
        var readyAt: ContinuousClock.Instant?
        var inFlight = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var phase: Phase { state.withLock { $0.phase } }
    public var isReady: Bool { phase == .ready }
    public var inFlight: Int { state.withLock { $0.inFlight } }

    /// Called once the warm-up inference passed.
    public func markReady(at now: ContinuousClock.Instant = .now) {
        state.withLock { s in
            guard s.phase == .starting else { return }
            s.phase = .ready
            s.readyAt = now
        }
    }

    /// How long the worker has been ready, nil before it was.
    public func readyFor(at now: ContinuousClock.Instant = .now) -> Duration? {
        state.withLock { s in s.readyAt.map { now - $0 } }
    }

    public func beginDraining() {
        state.withLock { $0.phase = .draining }
    }

    enum Admission { case admitted, starting, draining }

    /// Admits one inference request when ready; the caller must `leave()` after an `.admitted`.
    func enter() -> Admission {
        state.withLock { s in
            switch s.phase {
            case .starting: return .starting
            case .draining: return .draining
            case .ready:
                s.inFlight += 1
                return .admitted
            }
        }
    }

    func leave() {
        state.withLock { $0.inFlight -= 1 }
    }

    /// Waits until no inference request is in flight or `timeout` passed; true when all finished.
    public func drain(timeout: Duration) async -> Bool {
        beginDraining()
        let deadline = ContinuousClock.now + timeout
        while inFlight > 0 {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}
