import NightjarCore

/// What the demo shows. Every scenario serves two endpoints through the gateway: `fraud`, which rolls
/// out 1.1.0 as a canary, and `risk`, which stays calm.
enum DemoScenario: String, CaseIterable, Sendable {
    /// The 2 AM story: the fraud inputs start to drift `driftAfterSeconds` in and the canary starts
    /// failing `faultAfterSeconds` in; analysis catches it and the rollout puts all traffic back on
    /// 1.0.0, all on screen.
    case canaryFails = "canary-fails"
    /// The same rollout without a fault: it walks its steps and is promoted.
    case calm

    /// One worker each; the candidate carries the injected fault in `canaryFails`.
    struct WorkerPlan: Sendable {
        let ref: ModelRef
        let bundledModel: String
        let faultArguments: [String]
    }

    static let faultAfterSeconds = 45
    /// The fraud endpoint's inputs shift this long after traffic starts, before the canary fails.
    static let driftAfterSeconds = 20
    static let stepSeconds = 30.0
    static let rolloutSteps = [10, 25, 50, 100]

    var workers: [WorkerPlan] {
        let fault = self == .canaryFails
            ? ["--inject-error-rate", "0.3", "--inject-after-seconds", String(Self.faultAfterSeconds)] : []
        return [
            WorkerPlan(ref: ModelRef(name: "fraud", version: SemVer(1, 0, 0)), bundledModel: "fraud-1.0.0.onnx", faultArguments: []),
            WorkerPlan(ref: ModelRef(name: "fraud", version: SemVer(1, 1, 0)), bundledModel: "fraud-1.1.0.onnx", faultArguments: fault),
            // The calm endpoint serves the stable fraud model under another name: same bytes, its own traffic.
            WorkerPlan(ref: ModelRef(name: "risk", version: SemVer(2, 3, 0)), bundledModel: "fraud-1.0.0.onnx", faultArguments: []),
        ]
    }
}
