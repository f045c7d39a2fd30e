/// The screens of the console. `:` names them; Enter on an endpoint opens `endpoint`, `d` there opens `drift`.
public enum ConsoleView: Sendable, Equatable {
    case overview
    case endpoint(String)
    case workers
    case models
    case events
    case spotCheck(String)
    /// Live inputs and outputs of an endpoint's versions against their reference profiles.
    case drift(String)

    public var title: String {
        switch self {
        case .overview: "Overview"
        case .endpoint(let name): "Endpoint \(name)"
        case .workers: "Workers"
        case .models: "Models"
        case .events: "Events"
        case .spotCheck(let name): "Spot check \(name)"
        case .drift(let name): "Drift \(name)"
        }
    }
}
