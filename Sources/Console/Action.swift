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
    case endpointsLoaded(Result<[EndpointStatus], FetchFailure>)
    /// Standalone gateway replicas that report to the control plane.
    case gatewaysLoaded(Result<[GatewayReplicaInfo], FetchFailure>)
    /// Events after the last id asked for, oldest first.
    case eventsLoaded(Result<[ControlEvent], FetchFailure>)
    /// The answer to a confirmed change: what the control plane now says, or why it refused.
    case mutated(Mutation, Result<String, FetchFailure>)
    /// Copied lines were written; the text says where.
    case copied(Result<String, FetchFailure>)
    case spotSchemaLoaded(ModelRef, Result<FeatureSchema, FetchFailure>)
    case spotChecked(ModelRef, Result<[SpotCheck.Output], FetchFailure>)
    /// A worker's answer for the spot check's inputs.
    case spotServed(ModelRef, Result<[SpotCheck.Output], FetchFailure>)
    /// A signal asked the console to stop.
    case quit
}

/// Work the reducer asks for. Performed outside the reducer; each result comes back as an Action.
public enum Effect: Sendable, Equatable {
    case fetchModels
    case fetchWorkers
    case fetchStats(workerID: String, address: String)
    case fetchEndpoints
    case fetchGateways
    case fetchEvents(after: Int64)
    /// The newest events of the log, oldest first: where the timeline starts.
    case fetchNewestEvents(limit: Int)
    case mutate(Mutation, reason: String)
    /// The schema of a version, for the spot check form.
    case loadSpotSchema(ModelRef)
    /// Fetch the version's artifact and run the inputs through the local engine.
    case runSpotCheck(ModelRef, inputs: [String: Tensor])
    /// The same inputs through a ready worker of that version (OIP infer on its address).
    case askWorker(ModelRef, address: String, inputs: [String: Tensor])
    /// Terminal effects, performed by the console loop itself.
    case ringBell
    case copyToClipboard(String)
}

/// Performs effects: the real one talks HTTP, tests use a fake.
public protocol EffectRunner: Sendable {
    func perform(_ effect: Effect) async -> Action
}
