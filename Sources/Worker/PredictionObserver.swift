import Foundation
import NightjarCore

/// One answered prediction, as the worker hands it to whatever watches its traffic.
public struct ObservedPrediction: Sendable {
    public var model: ModelRef
    /// The request's `id`, when the protocol carries one.
    public var id: String?
    public var inputs: [String: Tensor]
    public var outputs: [String: Tensor]
    public var at: Date
    public var latency: Duration

    public init(model: ModelRef, id: String?, inputs: [String: Tensor], outputs: [String: Tensor], at: Date, latency: Duration) {
        self.model = model
        self.id = id
        self.inputs = inputs
        self.outputs = outputs
        self.at = at
        self.latency = latency
    }
}

/// Sees every successful prediction after its answer is ready. This is where the drift windows
/// (live input and output distributions against the version's reference profile) and the
/// prediction log plug in. Called on the request path, so an observer must only hand the
/// prediction over (append to a buffer, enqueue), never do I/O or heavy work inline.
public protocol PredictionObserver: Sendable {
    func observe(_ prediction: ObservedPrediction)
}
