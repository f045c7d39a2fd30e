import Foundation
import NightjarCore

/// The console's only state transition: an action in, the new state and the effects to run out.
/// No I/O happens here, so every interaction can be tested without a terminal or a network.
public func reduce(_ state: inout AppState, _ action: Action) -> [Effect] {
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
        return refreshEffects(state)

    case .modelsLoaded(.success(let models)):
        state.models = models
        state.selectedModel = clamp(state.selectedModel, count: models.count)
        state.serverError = nil
        return []

    case .workersLoaded(.success(let infos)):
        let previous = Dictionary(state.workers.map { ($0.info.id, $0) }, uniquingKeysWith: { a, _ in a })
        let selectedID = state.workers.indices.contains(state.selectedWorker) ? state.workers[state.selectedWorker].info.id : nil
        state.workers = infos.map { info in
            var row = previous[info.id] ?? AppState.WorkerRow(info: info)
            row.info = info
            return row
        }
        // Selection follows the worker, not the line number, when the list changes under it.
        if let selectedID, let index = state.workers.firstIndex(where: { $0.info.id == selectedID }) {
            state.selectedWorker = index
        }
        state.selectedWorker = clamp(state.selectedWorker, count: state.workers.count)
        state.serverError = nil
        state.lastRefresh = state.now
        // Stats are asked for as soon as a worker appears, not a tick later.
        return state.workers.filter { previous[$0.info.id] == nil && $0.info.state == .ready }
            .map { .fetchStats(workerID: $0.info.id, address: $0.info.address) }

    case .modelsLoaded(.failure(let failure)), .workersLoaded(.failure(let failure)):
        state.serverError = failure.message
        return []

    case .statsLoaded(let id, let result):
        guard let index = state.workers.firstIndex(where: { $0.info.id == id }) else { return [] }
        switch result {
        case .success(let stats):
            state.workers[index].stats = stats
            state.workers[index].statsError = nil
            state.workers[index].rateHistory.append(stats.requestsPerSecond)
            state.workers[index].rateHistory = Array(state.workers[index].rateHistory.suffix(AppState.historyLength))
        case .failure(let failure):
            state.workers[index].statsError = failure.message
        }
        return []

    case .quit:
        state.shouldQuit = true
        return []
    }
}

/// What a refresh asks for: the worker list every second, stats of each ready worker, and the
/// registry every fifth second (it changes rarely).
func refreshEffects(_ state: AppState) -> [Effect] {
    var effects: [Effect] = [.fetchWorkers]
    if state.ticks % 5 == 1 || state.models.isEmpty { effects.append(.fetchModels) }
    for row in state.workers where row.info.state == .ready {
        effects.append(.fetchStats(workerID: row.info.id, address: row.info.address))
    }
    return effects
}

private func reduceKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    if state.showHelp {
        // The help overlay swallows keys; any of these closes it.
        if key == .escape || key == .character("?") || key == .character("q") || key == .enter { state.showHelp = false }
        return []
    }
    switch key {
    case .character("q"):
        state.shouldQuit = true
    case .character("?"):
        state.showHelp = true
    case .tab:
        state.focus = state.focus == .workers ? .models : .workers
    case .down, .character("j"):
        move(&state, by: 1)
    case .up, .character("k"):
        move(&state, by: -1)
    case .home, .character("g"):
        move(&state, by: -Int.max / 2)
    case .end, .character("G"):
        move(&state, by: Int.max / 2)
    case .character("r"):
        state.status = AppState.Status(text: "refreshing…", isError: false)
        var forced = state
        forced.ticks = 1
        return refreshEffects(forced)
    case .escape:
        state.status = nil
    default:
        break
    }
    return []
}

private func move(_ state: inout AppState, by delta: Int) {
    switch state.focus {
    case .workers:
        state.selectedWorker = clamp(state.selectedWorker.addingReportingOverflow(delta).partialValue, count: state.workers.count)
    case .models:
        state.selectedModel = clamp(state.selectedModel.addingReportingOverflow(delta).partialValue, count: state.models.count)
    }
}

private func clamp(_ index: Int, count: Int) -> Int {
    count == 0 ? 0 : min(max(index, 0), count - 1)
}
