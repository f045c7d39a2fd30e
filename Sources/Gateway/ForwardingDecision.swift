import NightjarCore

/// What the gateway does with a request once it has read it: answer it itself, or forward it to a
/// version's workers. Both the prediction channel handler and the Hummingbird routes ask
/// `TrafficRouter.decide` for this, so every refusal reads the same whichever path the request took.
enum ForwardingDecision {
    case refuse(GatewayRefusal)
    case forward(plan: EndpointPlan, version: SemVer)
}

/// An answer the gateway gives without asking a worker, and what it is counted against.
struct GatewayRefusal {
    var answer: GatewayAnswer
    /// The metrics label: the endpoint, or `TrafficRouter.unknownEndpointLabel` for a name not deployed.
    var endpointLabel: String
    /// Set only when a version was chosen, so the refusal counts in that version's stats.
    var plan: EndpointPlan?
    var version: SemVer?
}
