import NightjarCore

/// What the worker needs from a loaded model: its schema and a way to run it on checked inputs.
/// The engine's session is the real implementation; the protocol keeps the HTTP layer independent
/// of how inference is done.
public protocol ServableModel: Sendable {
    var schema: FeatureSchema { get }
    /// Runs the model. Every output comes back as a tensor ready to be written as JSON.
    func predict(_ inputs: [String: Tensor]) throws -> [String: Tensor]
}
