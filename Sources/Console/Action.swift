import Foundation
import NightjarCore

/// A failed fetch, carried as text: the console shows it, it never throws it.
public struct FetchFailure: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// Everything that can happen to the console: input, time, and data arriving.
public enum Action: Sendable, Equatable {
    case key(Key)
    case resize(width: Int, height: Int)
    case tick(Date)
    case modelsLoaded(Result<[ModelSummary], FetchFailure>)
    case workersLoaded(Result<[WorkerInfo], FetchFailure>)
    case statsLoaded(workerID: String, Result<StatsSnapshot, FetchFailure>)
    /// A signal asked the console to stop.
    case quit
}

/// Work the reducer asks for. Performed outside the reducer; each result comes back as an Action.
public enum Effect: Sendable, Equatable {
    case fetchModels
    case fetchWorkers
    case fetchStats(workerID: String, address: String)
}

/// Performs effects: the real one talks HTTP, tests use a fake.
public protocol EffectRunner: Sendable {
    func perform(_ effect: Effect) async -> Action
}
