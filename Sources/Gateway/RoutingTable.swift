import NightjarCore

/// The gateway's view of every endpoint, replaced whole on each update so a request reads one
/// consistent table from start to finish.
struct RoutingTable: Sendable {
    var endpoints: [String: EndpointPlan] = [:]

    init(routes: [EndpointRoute] = []) {
        for route in routes {
            endpoints[route.endpoint] = EndpointPlan(route: route)
        }
    }
}

/// How one endpoint's requests are spread: the split, its weighted picker and the workers of each version.
struct EndpointPlan: Sendable {
    let route: EndpointRoute
    /// Nil when no version has a positive weight (every request then needs a pinned version).
    let picker: WeightedPicker<SemVer>?
    /// The worker's paths for this endpoint's model, built once per routing table, not per request.
    private let inferPath, metadataPath, readyPath: String

    init(route: EndpointRoute) {
        self.route = route
        self.picker = try? WeightedPicker(route.deployment.weights.map { (target: $0.version, weight: $0.weight) })
        let model = route.deployment.model
        (inferPath, metadataPath, readyPath) = (WorkerCall.infer.path(model: model), WorkerCall.modelMetadata.path(model: model),
                                                WorkerCall.modelReady.path(model: model))
    }

    /// The path a worker serves `call` on for this endpoint's model.
    func workerPath(_ call: WorkerCall) -> String {
        switch call {
        case .infer: inferPath
        case .modelMetadata: metadataPath
        case .modelReady: readyPath
        case .invocations: call.path(model: model)
        }
    }

    var endpoint: String { route.endpoint }
    var model: String { route.deployment.model }
    var versions: [SemVer] { route.deployment.weights.map(\.version) }

    func workers(of version: SemVer) -> [String] {
        route.workers[version] ?? []
    }

    /// The header whose value is the request's sticky key: the deployment's own, else the gateway's;
    /// none when the deployment keys on an input instead.
    func stickyKeyHeader(default header: String?) -> String? {
        guard let sticky = route.deployment.routing.sticky else { return header }
        return sticky.header
    }

    /// The version the first header rule the request matches sends it to.
    func headerMatch(_ value: (String) -> String?) -> SemVer? {
        route.deployment.routing.headerMatches.first { value($0.header) == $0.value }?.version
    }

    /// What the client asked for, beyond the endpoint itself.
    struct Ask: Sendable {
        /// A version from the path (`/v2/models/{endpoint}/versions/{v}/...`).
        var pinned: String?
        /// The version header's value.
        var override: String?
        /// The version of the first of the deployment's header rules the request matched.
        var matched: SemVer?
        /// The sticky key: the sticky header's value, or the sticky input's first value.
        var stickyKey: String?
    }

    /// Picks the version for one request: a path pin, then the version header, then the deployment's
    /// header rules, then the sticky key, then a weighted draw. Pure: the draw is passed in.
    func chooseVersion(_ ask: Ask, versionHeader: String, draw: Int) -> Result<SemVer, RoutingRefusal> {
        if let pinned = ask.pinned {
            guard let version = try? SemVer(parsing: pinned) else {
                return .failure(.badRequest("'\(pinned)' in the path is not a version such as 1.2.0"))
            }
            guard versions.contains(version) else {
                return .failure(.notFound("endpoint '\(endpoint)' has no version \(version); its versions are \(versionList)"))
            }
            if let override = ask.override, (try? SemVer(parsing: override)) != version {
                return .failure(.badRequest("header \(versionHeader): \(override) contradicts version \(version) in the path"))
            }
            return .success(version)
        }
        if let override = ask.override {
            guard let version = try? SemVer(parsing: override) else {
                return .failure(.badRequest("header \(versionHeader): '\(override)' is not a version such as 1.2.0"))
            }
            guard versions.contains(version) else {
                return .failure(.badRequest("header \(versionHeader): \(version) is not a version of endpoint '\(endpoint)'; its versions are \(versionList)"))
            }
            return .success(version)
        }
        if let matched = ask.matched {
            return .success(matched)
        }
        if let key = ask.stickyKey, let version = StickyHash.version(for: key, weights: route.deployment.weights) {
            return .success(version)
        }
        guard let picker else {
            return .failure(.unavailable("endpoint '\(endpoint)' has no version with traffic (\(route.deployment.splitDescription)); pin one with \(versionHeader)"))
        }
        return .success(picker.pick(draw: draw))
    }

    private var versionList: String {
        versions.map(\.description).joined(separator: ", ")
    }
}

/// Why the gateway answered a request itself instead of forwarding it.
enum RoutingRefusal: Error, Sendable, Equatable {
    case badRequest(String)
    case notFound(String)
    case unavailable(String)

    var status: Int {
        switch self {
        case .badRequest: 400
        case .notFound: 404
        case .unavailable: 503
        }
    }

    var message: String {
        switch self {
        case .badRequest(let m), .notFound(let m), .unavailable(let m): m
        }
    }
}
