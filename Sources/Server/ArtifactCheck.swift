import Foundation

/// Throws, saying why, when a pushed model file cannot be served (not ONNX, an operator the engine
/// lacks). Supplied by the executable, which may import the Engine; see
/// `ControlPlaneServer.Configuration.artifactCheck`.
public typealias ArtifactCheck = @Sendable (Data) throws -> Void
