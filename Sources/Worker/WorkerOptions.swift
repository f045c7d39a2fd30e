/// How a worker serves, as `nightjar worker`'s flags set it.
public struct WorkerOptions: Sendable, Equatable {
    /// Largest request body accepted, in bytes; larger bodies get 413.
    public var maxBodyBytes: Int
    public var batching: Batcher.Configuration
    public var faults: FaultInjection
    /// Accept NaN and ±infinity in float inputs.
    public var allowNonFinite: Bool

    public init(maxBodyBytes: Int = 8 << 20, batching: Batcher.Configuration = .init(), faults: FaultInjection = .none,
                allowNonFinite: Bool = false) {
        self.maxBodyBytes = maxBodyBytes
        self.batching = batching
        self.faults = faults
        self.allowNonFinite = allowNonFinite
    }
}
