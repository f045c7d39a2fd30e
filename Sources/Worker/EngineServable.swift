import Engine
import NightjarCore

/// Serves a model through Nightjar's ONNX engine.
public struct EngineServable: ServableModel {
    public let session: InferenceSession

    public init(session: InferenceSession) {
        self.session = session
    }

    public var schema: FeatureSchema { session.schema }

    public func predict(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        try session.run(inputs).mapValues { $0.servedTensor() }
    }
}
