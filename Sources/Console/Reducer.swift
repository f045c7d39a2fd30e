import Foundation
import NightjarCore

/// The console's only state transition: an action in, the new state and the effects to run out.
/// No I/O happens here, so every interaction can be tested without a terminal or a network.
public func reduce(_ state: inout AppState, _ action: Action) -> [Effect] {
    switch action {
    case .modelsLoaded: state.awaiting.remove(.models)
    case .workersLoaded: state.awaiting.remove(.workers)
    case .endpointsLoaded: state.awaiting.remove(.endpoints)
    case .gatewaysLoaded: state.awaiting.remove(.gateways)
    case .eventsLoaded: state.awaiting.remove(.events)
    default: break
    }
    switch action {
    case .key(let key):
        return reduceKey(&state, key)

    case .resize(let width, let height):
        state.width = width
        state.height = height
        return []

    case .tick(let date):
        state.now = date
        state.ticks += 1
        return refresh(&state)

    case .modelsLoaded(.success(let models)):
        state.models = models
        state.modelsFeed.succeeded(at: state.now)
        state.selectedModel = clamp(state.selectedModel, count: state.shownModels.count)
        return []

    case .modelsLoaded(.failure(let failure)):
        state.modelsFeed.failed(failure.message, at: state.now)
        return []

    case .gatewaysLoaded(.success(let gateways)):
        state.gateways = gateways
        return []

    case .gatewaysLoaded(.failure):
        // Replicas are optional and a server without them answers the same way: keep the last list,
        // the endpoints' own feed says whether the server is reachable.
        return []

    case .workersLoaded(.success(let infos)):
        return workersLoaded(&state, infos)

    case .workersLoaded(.failure(let failure)):
        state.workersFeed.failed(failure.message, at: state.now)
        return []

    case .statsLoaded(let id, let result):
        guard let index = state.workers.firstIndex(where: { $0.info.id == id }) else { return [] }
        switch result {
        case .success(let stats):
            if let before = state.workers[index].stats, let cpuBefore = before.process?.cpuSeconds,
               let cpuNow = stats.process?.cpuSeconds, stats.uptimeSeconds > before.uptimeSeconds {
                state.workers[index].cpuPercent = max(0, cpuNow - cpuBefore) / (stats.uptimeSeconds - before.uptimeSeconds) * 100
            }
            state.workers[index].stats = stats
            state.workers[index].statsError = nil
            state.workers[index].rateHistory.append(stats.requestsPerSecond)
            state.workers[index].rateHistory = Array(state.workers[index].rateHistory.suffix(AppState.historyLength))
        case .failure(let failure):
            state.workers[index].statsError = failure.message
        }
        return []

    case .endpointsLoaded(.success(let endpoints)):
        return endpointsLoaded(&state, endpoints)

    case .endpointsLoaded(.failure(let failure)):
        state.endpointsFeed.failed(failure.message, at: state.now)
        return []

    case .eventsLoaded(.success(let events)):
        return eventsLoaded(&state, events)

    case .eventsLoaded(.failure(let failure)):
        state.eventsFeed.failed(failure.message, at: state.now)
        return []

    case .mutated(let mutation, let result):
        state.inFlight = max(0, state.inFlight - 1)
        switch result {
        case .success(let text):
            state.status = AppState.Status(text: "✔ \(mutation.label): \(text)", isError: false)
        case .failure(let failure):
            state.status = AppState.Status(text: "✖ \(mutation.label) refused: \(failure.message)", isError: true)
        }
        // Either way the screen should show what the control plane holds now.
        state.awaiting.formUnion([.endpoints, .events])
        return [.fetchEndpoints, nextEventsFetch(state)]

    case .copied(.success(let text)):
        state.status = AppState.Status(text: text, isError: false)
        return []

    case .copied(.failure(let failure)):
        state.status = AppState.Status(text: "✖ copy failed: \(failure.message)", isError: true)
        return []

    case .spotSchemaLoaded(let ref, let result):
        guard var spot = state.spotCheck, spot.model == ref.name else { return [] }
        switch result {
        case .success(let schema): spot.load(schema)
        case .failure(let why): spot.schemaError = "schema of \(ref): \(why.message)"
        }
        state.spotCheck = spot
        return []

    case .spotChecked(let ref, let result):
        guard state.spotCheck?.model == ref.name else { return [] }
        switch result {
        case .success(let outputs): state.spotCheck?.outcomes[ref.version] = .done(outputs)
        case .failure(let why): state.spotCheck?.outcomes[ref.version] = .failed(why.message)
        }
        if let spot = state.spotCheck, !spot.outcomes.values.contains(.running) {
            let differing = spot.differingOutputs.sorted()
            state.status = AppState.Status(text: differing.isEmpty ? "spot check done: the versions agree"
                                               : "spot check done: the versions differ on \(differing.joined(separator: ", "))", isError: false)
        }
        return []

    case .spotServed(let ref, let result):
        guard state.spotCheck?.model == ref.name, state.spotCheck?.served[ref.version] != nil else { return [] }
        switch result {
        case .success(let outputs): state.spotCheck?.served[ref.version] = .done(outputs)
        case .failure(let why): state.spotCheck?.served[ref.version] = .failed(why.message)
        }
        return []

    case .quit:
        state.shouldQuit = true
        return []
    }
}

/// What a refresh asks for: workers, endpoints and new events every second, stats of each ready
/// worker, and the registry and the gateway replicas every fifth second (they change rarely) — skipping any read still
/// waiting for its answer. `force` (the r key) asks for the registry too.
func refresh(_ state: inout AppState, force: Bool = false) -> [Effect] {
    var wanted: [(AppState.Fetch, Effect)] = [(.workers, .fetchWorkers), (.endpoints, .fetchEndpoints),
                                              (.events, nextEventsFetch(state))]
    if force || state.ticks % 5 == 1 || state.modelsFeed.lastSuccess == nil {
        wanted.append((.models, .fetchModels))
        wanted.append((.gateways, .fetchGateways))
    }
    var effects: [Effect] = []
    for (fetch, effect) in wanted where !state.awaiting.contains(fetch) {
        state.awaiting.insert(fetch)
        effects.append(effect)
    }
    for row in state.workers where row.info.state == .ready {
        effects.append(.fetchStats(workerID: row.info.id, address: row.info.address))
    }
    return effects
}

/// Until events were first read, the newest of the log (a long log is history, and replaying it
/// from the first event would take round trips); then whatever came after the last one.
func nextEventsFetch(_ state: AppState) -> Effect {
    state.eventsFeed.lastSuccess == nil && state.lastEventID == 0
        ? .fetchNewestEvents(limit: AppState.eventsAtStart) : .fetchEvents(after: state.lastEventID)
}

private func workersLoaded(_ state: inout AppState, _ infos: [WorkerInfo]) -> [Effect] {
    let previous = Dictionary(state.workers.map { ($0.info.id, $0) }, uniquingKeysWith: { a, _ in a })
    let shown = state.shownWorkers
    let selectedID = shown.indices.contains(state.selectedWorker) ? shown[state.selectedWorker].info.id : nil
    state.workers = infos.map { info in
        var row = previous[info.id] ?? AppState.WorkerRow(info: info)
        row.info = info
        return row
    }
    // Selection follows the worker, not the line number, when the list changes under it.
    if let selectedID, let index = state.shownWorkers.firstIndex(where: { $0.info.id == selectedID }) {
        state.selectedWorker = index
    }
    state.selectedWorker = clamp(state.selectedWorker, count: state.shownWorkers.count)
    state.workersFeed.succeeded(at: state.now)
    // Stats are asked for as soon as a worker appears, not a tick later.
    return state.workers.filter { previous[$0.info.id] == nil && $0.info.state == .ready }
        .map { .fetchStats(workerID: $0.info.id, address: $0.info.address) }
}

private func endpointsLoaded(_ state: inout AppState, _ endpoints: [EndpointStatus]) -> [Effect] {
    let shown = state.shownEndpoints
    let selectedName = shown.indices.contains(state.selectedEndpoint) ? shown[state.selectedEndpoint].endpoint : nil
    let driftVersion = state.focusedDriftVersion?.version
    let driftColumn = state.focusedDriftColumn
    state.endpoints = endpoints
    state.endpointsFeed.succeeded(at: state.now)

    // One sample per version per refresh; a version without stats yet counts as no traffic.
    var history: [String: VersionHistory] = [:]
    for endpoint in endpoints {
        for version in endpoint.versions {
            let key = VersionHistory.key(endpoint: endpoint.endpoint, version: version.version)
            var series = state.history[key] ?? VersionHistory()
            let stats = version.stats
            series.append(rate: stats?.requestsPerSecond ?? 0, errorRate: stats?.errorRate ?? 0,
                          p50: stats?.latencyMs.p50 ?? 0, p95: stats?.latencyMs.p95 ?? 0, p99: stats?.latencyMs.p99 ?? 0)
            history[key] = series
        }
    }
    state.history = history

    // Worst-first order moves endpoints around: keep the same one selected.
    if let selectedName, let index = state.shownEndpoints.firstIndex(where: { $0.endpoint == selectedName }) {
        state.selectedEndpoint = index
    }
    state.selectedEndpoint = clamp(state.selectedEndpoint, count: state.shownEndpoints.count)
    state.selectedVersion = clamp(state.selectedVersion, count: state.focusedEndpoint?.versions.count ?? 0)
    followDriftSelection(&state, version: driftVersion, column: driftColumn)
    return AlertRules.raiseForRules(&state)
}

/// Fresh reports reorder the drift tables (worst first) and may add or drop versions: the selection
/// stays on the same version and column, by name, wherever they moved.
private func followDriftSelection(_ state: inout AppState, version: SemVer?, column: DriftColumnReport?) {
    guard case .drift = state.view else { return }
    let versions = state.driftVersions
    state.drift.version = versions.firstIndex { $0.version == version } ?? clamp(state.drift.version, count: versions.count)
    let columns = state.focusedDriftVersion.map { state.driftColumns(of: $0) } ?? []
    state.drift.column = column.flatMap { c in columns.firstIndex { $0.name == c.name && $0.role == c.role } }
        ?? clamp(state.drift.column, count: columns.count)
    if columns.isEmpty { state.drift.enlarged = false }
}

private func eventsLoaded(_ state: inout AppState, _ events: [ControlEvent]) -> [Effect] {
    state.eventsFeed.succeeded(at: state.now)
    let fresh = events.filter { $0.id > state.lastEventID }.sorted { $0.id < $1.id }
    guard let last = fresh.last else { return [] }
    state.lastEventID = last.id
    state.events.append(contentsOf: fresh)
    if state.events.count > AppState.eventsKept { state.events.removeFirst(state.events.count - AppState.eventsKept) }
    // The timeline is newest first: keep a selection below the top on the same event.
    if state.selectedEvent > 0 {
        let added = state.shownEvents.prefix(fresh.count).filter { e in fresh.contains { $0.id == e.id } }.count
        state.selectedEvent = clamp(state.selectedEvent + added, count: state.shownEvents.count)
    }
    var effects = AlertRules.raiseForEvents(&state, fresh)
    // A page whose newest event is already history may mean the console is still catching up on a
    // long log (a server without `newest` answered from the first event, or the console was away):
    // ask for the next page now rather than a second later, so the timeline reaches the present.
    if state.now.timeIntervalSince(last.at) > AppState.alertHorizonSeconds {
        state.awaiting.insert(.events)
        effects.append(.fetchEvents(after: state.lastEventID))
    }
    return effects
}

func clamp(_ index: Int, count: Int) -> Int {
    count == 0 ? 0 : min(max(index, 0), count - 1)
}
