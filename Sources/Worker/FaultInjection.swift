import NightjarCore

/// Deliberate misbehaviour for rollout tests and the demo: a share of inference requests fails with
/// HTTP 500, every inference request is slowed down, starting some time after the worker is ready.
///
/// A plain value: the routes ask it what to do with one request given how long the worker has been
/// ready and a random draw, so the decision is testable without a clock or a random source.
public struct FaultInjection: Sendable, Equatable {
    /// Share of inference requests answered with an injected HTTP 500, 0...1.
    public var errorRate: Double
    /// Added before every inference answer once faults are active.
    public var latency: Duration
    /// Faults start this long after the worker became ready.
    public var startAfter: Duration

    public static let none = FaultInjection(uncheckedErrorRate: 0, latency: .zero, startAfter: .zero)

    /// Checks the values an operator typed, so `--inject-error-rate 30` fails at start instead of
    /// silently failing every request.
    public init(errorRate: Double = 0, latency: Duration = .zero, startAfter: Duration = .zero) throws(NightjarError) {
        guard errorRate.isFinite, (0...1).contains(errorRate) else {
            throw .invalidArgument("--inject-error-rate must be between 0 and 1 (a share, 0.3 = 30%), not \(errorRate)")
        }
        guard latency >= .zero else {
            throw .invalidArgument("--inject-latency-ms must not be negative")
        }
        guard startAfter >= .zero else {
            throw .invalidArgument("--inject-after-seconds must not be negative")
        }
        self.init(uncheckedErrorRate: errorRate, latency: latency, startAfter: startAfter)
    }

    private init(uncheckedErrorRate: Double, latency: Duration, startAfter: Duration) {
        self.errorRate = uncheckedErrorRate
        self.latency = latency
        self.startAfter = startAfter
    }

    /// Whether any fault is configured at all.
    public var isEnabled: Bool { errorRate > 0 || latency > .zero }

    /// What to do to one inference request.
    public struct Decision: Sendable, Equatable {
        public var delay: Duration
        public var fail: Bool

        public init(delay: Duration, fail: Bool) {
            self.delay = delay
            self.fail = fail
        }

        public static let none = Decision(delay: .zero, fail: false)
    }

    /// The fault for one request, `readyFor` after the worker became ready (nil while not ready),
    /// with `draw` uniform in 0..<1.
    public func decide(readyFor: Duration?, draw: Double) -> Decision {
        guard isEnabled, let readyFor, readyFor >= startAfter else { return .none }
        return Decision(delay: latency, fail: draw < errorRate)
    }

    /// The message of an injected failure: says plainly that it was injected, so nobody debugs it.
    public static let injectedErrorMessage = "injected fault: this worker runs with --inject-error-rate and failed this request on purpose"
}
