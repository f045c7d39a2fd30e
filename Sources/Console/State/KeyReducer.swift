import Foundation
import NightjarCore

/// Keys, in order of who gets them: the help overlay, an open dialog, the prompt, then the view.
func reduceKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    if state.showHelp {
        // The help overlay swallows keys; any of these closes it.
        if key == .escape || key == .character("?") || key == .character("q") || key == .enter { state.showHelp = false }
        return []
    }
    if let dialog = state.dialog {
        switch dialog {
        case .traffic(let draft): return trafficKey(&state, draft, key)
        case .confirm(let confirmation): return confirmKey(&state, confirmation, key)
        }
    }
    if let prompt = state.prompt { return promptKey(&state, prompt, key) }
    // The spot check form takes every printable key as input; only Esc leaves it.
    if case .spotCheck = state.view { return spotCheckKey(&state, key) }
    // An enlarged drift column closes before anything else would go back or quit.
    if case .drift = state.view, state.drift.enlarged, key == .escape || key == .character("q") {
        state.drift.enlarged = false
        return []
    }
    if let effects = globalKey(&state, key) { return effects }
    switch state.view {
    case .overview: return overviewKey(&state, key)
    case .endpoint: return endpointKey(&state, key)
    case .workers: moveKey(&state, key, selection: \.selectedWorker, count: state.shownWorkers.count)
    case .models: moveKey(&state, key, selection: \.selectedModel, count: state.shownModels.count)
    case .events: return eventsKey(&state, key)
    case .drift: return driftKey(&state, key)
    case .spotCheck: break
    }
    return []
}

/// Keys every view shares; nil when the key is the view's to handle.
private func globalKey(_ state: inout AppState, _ key: Key) -> [Effect]? {
    switch key {
    case .character("q"):
        if !goBack(&state) { state.shouldQuit = true }
    case .character("?"):
        state.showHelp = true
    case .character(":"):
        state.prompt = Prompt(kind: .command)
    case .character("/"):
        state.prompt = Prompt(kind: .filter, text: state.filter)
    case .character("a"):
        guard !state.alerts.isEmpty else { return [] }
        let count = state.alerts.count
        state.alerts = []
        state.status = AppState.Status(text: "acknowledged \(count) alert\(count == 1 ? "" : "s")", isError: false)
    case .character("r"):
        state.status = AppState.Status(text: "refreshing…", isError: false)
        return refresh(&state, force: true)
    case .escape:
        // Esc undoes the most recent narrowing first: the filter, then the view.
        if !state.filter.isEmpty {
            state.filter = ""
            state.status = nil
        } else if !goBack(&state) {
            state.status = nil
        }
    default:
        return nil
    }
    return []
}

private func overviewKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    if key == .tab {
        state.pane = state.pane == .primary ? .secondary : .primary
        return []
    }
    if state.pane == .secondary {
        moveKey(&state, key, selection: \.selectedWorker, count: state.shownWorkers.count)
        return []
    }
    switch key {
    case .enter, .character("l"), .right:
        guard let endpoint = state.focusedEndpoint else { return [] }
        open(&state, .endpoint(endpoint.endpoint))
    default:
        if !mutationKey(&state, key) {
            moveKey(&state, key, selection: \.selectedEndpoint, count: state.shownEndpoints.count)
        }
    }
    return []
}

private func endpointKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    if key == .tab {
        state.pane = state.pane == .primary ? .secondary : .primary
        return []
    }
    if state.pane == .secondary {
        if case .character(let c) = key, c == "y" || c == "Y" { return copyEvents(&state, all: c == "Y") }
        moveKey(&state, key, selection: \.selectedEvent, count: state.shownEvents.count)
        return []
    }
    let count = state.focusedEndpoint?.versions.count ?? 0
    switch key {
    case .left, .up, .character("h"), .character("k"):
        state.selectedVersion = clamp(state.selectedVersion - 1, count: count)
    case .right, .down, .character("l"), .character("j"):
        state.selectedVersion = clamp(state.selectedVersion + 1, count: count)
    case .character("+"), .character("="), .character("-"), .character("_"):
        let step = key == .character("+") || key == .character("=") ? 5 : -5
        openTrafficDraft(&state) { $0.adjust(by: step) }
    case .character("s"):
        return openSpotCheck(&state)
    case .character("d"):
        openDrift(&state)
    case .character(let c) where c.isASCII && c.isNumber:
        openTrafficDraft(&state) { draft in
            draft.typed = String(c)
            draft.setSelectedWeight(Int(String(c)) ?? 0)
        }
    default:
        _ = mutationKey(&state, key)
    }
    return []
}

private func eventsKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    switch key {
    case .character("y"): return copyEvents(&state, all: false)
    case .character("Y"): return copyEvents(&state, all: true)
    default: moveKey(&state, key, selection: \.selectedEvent, count: state.shownEvents.count)
    }
    return []
}

/// R P H U X: opens the confirmation for the focused endpoint. True when the key was one of them.
private func mutationKey(_ state: inout AppState, _ key: Key) -> Bool {
    let kinds: [Character: MutationPlanner.Kind] = ["R": .rollback, "P": .promote, "H": .pause, "U": .resume, "X": .abort]
    guard case .character(let c) = key, let kind = kinds[c] else { return false }
    guard refuseIfReadOnly(&state) else { return true }
    guard let endpoint = state.focusedEndpoint else {
        state.status = AppState.Status(text: "select an endpoint first", isError: true)
        return true
    }
    switch MutationPlanner.plan(kind, for: endpoint, reason: MutationPlanner.reason(for: endpoint.endpoint, in: state)) {
    case .success(let confirmation):
        state.dialog = .confirm(confirmation)
        state.status = nil
    case .failure(let why):
        state.status = AppState.Status(text: why.message, isError: true)
    }
    return true
}

private func openTrafficDraft(_ state: inout AppState, _ edit: (inout TrafficDraft) -> Void) {
    guard refuseIfReadOnly(&state), let endpoint = state.focusedEndpoint else { return }
    guard endpoint.deployment.weights.count > 1 else {
        state.status = AppState.Status(text: "\(endpoint.endpoint) has one version: nothing to shift traffic to", isError: true)
        return
    }
    // The draft lists versions in the deployment's order; the selection follows the version, not the index.
    let selectedVersion = state.focusedVersion?.version
    let index = endpoint.deployment.weights.firstIndex { $0.version == selectedVersion } ?? 0
    var draft = TrafficDraft(endpoint: endpoint.endpoint, revision: endpoint.deployment.revision,
                             weights: endpoint.deployment.weights, selected: index,
                             reason: MutationPlanner.reason(for: endpoint.endpoint, in: state))
    edit(&draft)
    state.dialog = .traffic(draft)
    state.status = nil
}

/// True when changes are allowed; otherwise says why on the status line.
private func refuseIfReadOnly(_ state: inout AppState) -> Bool {
    guard state.options.readOnly else { return true }
    state.status = AppState.Status(text: "read-only console (--read-only): changes are disabled", isError: true)
    return false
}

private func trafficKey(_ state: inout AppState, _ draft: TrafficDraft, _ key: Key) -> [Effect] {
    var draft = draft
    switch (key, draft.field) {
    case (.escape, _):
        state.dialog = nil
        state.status = AppState.Status(text: "cancelled: traffic unchanged", isError: false)
        return []
    case (.enter, _):
        guard draft.isChanged else {
            state.status = AppState.Status(text: "no change to apply: use + - or type a weight", isError: true)
            return []
        }
        let reason = draft.reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty else {
            state.status = AppState.Status(text: "a reason is required: Tab to the reason field and type one", isError: true)
            return []
        }
        state.dialog = nil
        return send(&state, .setTraffic(endpoint: draft.endpoint, weights: draft.after, revision: draft.revision),
                    reason: reason, what: "\(draft.endpoint): \(draft.changeDescription)")
    case (.tab, _):
        draft.field = draft.field == .weight ? .reason : .weight
    case (.backspace, .reason), (.character, .reason):
        TextInput.edit(&draft.reason, with: key)
    case (.up, _), (.character("k"), .weight):
        draft.selected = clamp(draft.selected - 1, count: draft.after.count)
        draft.typed = ""
    case (.down, _), (.character("j"), .weight):
        draft.selected = clamp(draft.selected + 1, count: draft.after.count)
        draft.typed = ""
    case (.character("+"), .weight), (.character("="), .weight), (.right, .weight):
        draft.adjust(by: 5)
    case (.character("-"), .weight), (.character("_"), .weight), (.left, .weight):
        draft.adjust(by: -5)
    case (.character(let c), .weight) where c.isASCII && c.isNumber:
        // A weight past 100 is a typo, not a request for 100%: say so and keep what was typed before.
        let typed = draft.typed + String(c)
        guard let weight = Int(typed), weight <= 100 else {
            state.status = AppState.Status(
                text: "weight \(typed.drop { $0 == "0" })% is more than 100%: type 0 to 100 (Backspace corrects)", isError: true)
            return []
        }
        draft.typed = typed
        draft.setSelectedWeight(weight)
        state.status = nil
    case (.backspace, .weight):
        if !draft.typed.isEmpty {
            draft.typed.removeLast()
            draft.setSelectedWeight(Int(draft.typed) ?? 0)
        }
    default:
        break
    }
    state.dialog = .traffic(draft)
    return []
}

private func confirmKey(_ state: inout AppState, _ confirmation: Confirmation, _ key: Key) -> [Effect] {
    var confirmation = confirmation
    switch key {
    case .escape:
        state.dialog = nil
        state.status = AppState.Status(text: "cancelled: nothing changed", isError: false)
        return []
    case .enter:
        let reason = confirmation.reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty else {
            state.status = AppState.Status(text: "a reason is required: type one, then Enter", isError: true)
            return []
        }
        state.dialog = nil
        return send(&state, confirmation.mutation, reason: reason, what: confirmation.summary)
    default:
        TextInput.edit(&confirmation.reason, with: key)
    }
    state.dialog = .confirm(confirmation)
    return []
}

private func send(_ state: inout AppState, _ mutation: Mutation, reason: String, what: String) -> [Effect] {
    // A dialog cannot open in read-only mode; this is the last line of defence all the same.
    guard refuseIfReadOnly(&state) else { return [] }
    state.inFlight += 1
    state.status = AppState.Status(text: "sending… \(what)", isError: false)
    return [.mutate(mutation, reason: reason)]
}

private func promptKey(_ state: inout AppState, _ prompt: Prompt, _ key: Key) -> [Effect] {
    var prompt = prompt
    let names = state.endpoints.map(\.endpoint)
    switch key {
    case .escape:
        state.prompt = nil
        if prompt.kind == .filter { state.filter = "" }
        return []
    case .enter:
        state.prompt = nil
        guard prompt.kind == .command else { return [] }
        switch PromptCommand.parse(prompt.text, endpoints: names) {
        case .success(.go(let view)): open(&state, view)
        case .success(.quit): state.shouldQuit = true
        case .success(.help): state.showHelp = true
        case .failure(let why): state.status = AppState.Status(text: why.message, isError: true)
        }
        return []
    case .tab:
        if prompt.kind == .command { prompt.text = PromptCommand.complete(prompt.text, endpoints: names) }
    case .backspace where prompt.text.isEmpty:
        state.prompt = nil
        return []
    default:
        TextInput.edit(&prompt.text, with: key)
    }
    state.prompt = prompt
    // A filter applies as it is typed, like k9s; selections restart at the top of the narrowed list.
    if prompt.kind == .filter {
        state.filter = prompt.text
        state.selectedEndpoint = 0
        state.selectedWorker = 0
        state.selectedModel = 0
        state.selectedEvent = 0
        state.drift.column = 0
    }
    return []
}

/// Shows a view. Views reached by `:` sit directly above the overview; an endpoint sits above
/// whatever it was opened from. Esc and q go back down.
func open(_ state: inout AppState, _ view: ConsoleView) {
    guard view != state.view else { return }
    switch view {
    case .overview: state.backStack = []
    case .endpoint, .spotCheck, .drift: state.backStack.append(state.view)
    case .workers, .models, .events: state.backStack = [.overview]
    }
    state.view = view
    state.pane = .primary
    state.filter = ""
    // The drift view is about the endpoint just left: its version selection is kept for coming back.
    if case .drift = view {} else { state.selectedVersion = 0 }
    state.selectedEvent = 0
    state.drift = DriftFocus()
}

/// `d` on an endpoint: its drift view, starting on the version selected there.
private func openDrift(_ state: inout AppState) {
    guard let endpoint = state.focusedEndpoint else { return }
    let selected = state.focusedVersion?.version
    open(&state, .drift(endpoint.endpoint))
    state.drift.version = state.driftVersions.firstIndex { $0.version == selected } ?? 0
}

/// The drift view: ↑↓ pick a column, ←→ (or Tab) the other version's table on the same column,
/// Enter enlarges the column's distributions and Enter again goes back to the table.
private func driftKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    let versions = state.driftVersions
    switch key {
    case .left, .right, .character("h"), .character("l"), .tab:
        guard !versions.isEmpty else { return [] }
        let kept = state.focusedDriftColumn
        let next = key == .tab ? (state.drift.version + 1) % versions.count
            : clamp(state.drift.version + (key == .left || key == .character("h") ? -1 : 1), count: versions.count)
        state.drift.version = next
        // The same column in the other version, so stable and candidate compare at one key.
        let columns = state.driftColumns(of: versions[next])
        state.drift.column = kept.flatMap { k in columns.firstIndex { $0.name == k.name && $0.role == k.role } }
            ?? clamp(state.drift.column, count: columns.count)
    case .enter:
        if state.drift.enlarged {
            state.drift.enlarged = false
        } else if state.focusedDriftColumn != nil {
            state.drift.enlarged = true
        } else {
            state.status = AppState.Status(text: "no drift column to show: this version has no drift report yet", isError: true)
        }
    default:
        if !mutationKey(&state, key) {
            let count = state.focusedDriftVersion.map { state.driftColumns(of: $0).count } ?? 0
            moveKey(&state, key, selection: \.drift.column, count: count)
        }
    }
    return []
}

/// `s` on an endpoint: a form for its schema, to run by hand against the versions carrying its
/// traffic (`SpotCheckChoice`).
private func openSpotCheck(_ state: inout AppState) -> [Effect] {
    guard let endpoint = state.focusedEndpoint else { return [] }
    guard let choice = SpotCheckChoice(endpoint), let first = choice.versions.first else {
        state.status = AppState.Status(text: "\(endpoint.endpoint) has no version to check", isError: true)
        return []
    }
    var spot = SpotCheck(endpoint: endpoint.endpoint, model: endpoint.deployment.model, versions: choice.versions)
    spot.why = choice.why
    spot.roles = choice.roles
    state.spotCheck = spot
    open(&state, .spotCheck(endpoint.endpoint))
    return [.loadSpotSchema(ModelRef(name: endpoint.deployment.model, version: first))]
}

private func spotCheckKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    guard var spot = state.spotCheck else {
        _ = goBack(&state)
        return []
    }
    switch key {
    case .escape:
        _ = goBack(&state)
        state.spotCheck = nil
        return []
    case .up:
        spot.selected = clamp(spot.selected - 1, count: spot.fields.count)
    case .down, .tab:
        spot.selected = clamp(spot.selected + 1, count: spot.fields.count)
    case .backspace, .character:
        if spot.fields.indices.contains(spot.selected) { TextInput.edit(&spot.fields[spot.selected].text, with: key) }
    case .enter:
        switch spot.inputs() {
        case .failure(let why):
            state.status = AppState.Status(text: why.message, isError: true)
        case .success(let inputs):
            state.status = AppState.Status(text: "running \(spot.versions.map(\.description).joined(separator: " and ")) in the local engine…", isError: false)
            for v in spot.versions { spot.outcomes[v] = .running }
            spot.served = [:]
            var effects: [Effect] = spot.versions.map { .runSpotCheck(ModelRef(name: spot.model, version: $0), inputs: inputs) }
            for v in spot.versions {
                let ref = ModelRef(name: spot.model, version: v)
                guard let worker = state.workers.first(where: { $0.info.model == ref && $0.info.state == .ready }) else { continue }
                spot.served[v] = .running
                effects.append(.askWorker(ref, address: worker.info.address, inputs: inputs))
            }
            state.spotCheck = spot
            return effects
        }
    default:
        break
    }
    state.spotCheck = spot
    return []
}

/// False at the top, where there is nothing to go back to.
private func goBack(_ state: inout AppState) -> Bool {
    guard let previous = state.backStack.popLast() else { return false }
    state.view = previous
    state.pane = .primary
    state.filter = ""
    return true
}

private func moveKey(_ state: inout AppState, _ key: Key, selection: WritableKeyPath<AppState, Int>, count: Int) {
    let current = state[keyPath: selection]
    switch key {
    case .down, .character("j"): state[keyPath: selection] = clamp(current + 1, count: count)
    case .up, .character("k"): state[keyPath: selection] = clamp(current - 1, count: count)
    case .pageDown: state[keyPath: selection] = clamp(current + 10, count: count)
    case .pageUp: state[keyPath: selection] = clamp(current - 10, count: count)
    case .home, .character("g"): state[keyPath: selection] = 0
    case .end, .character("G"): state[keyPath: selection] = clamp(count - 1, count: count)
    default: break
    }
}

/// `y`: the selected event, or every shown one, as lines of text for the clipboard.
private func copyEvents(_ state: inout AppState, all: Bool) -> [Effect] {
    let shown = state.shownEvents
    let chosen = all ? shown : (shown.indices.contains(state.selectedEvent) ? [shown[state.selectedEvent]] : [])
    guard !chosen.isEmpty else {
        state.status = AppState.Status(text: "no events to copy", isError: true)
        return []
    }
    return [.copyToClipboard(chosen.map(EventLine.text).joined(separator: "\n") + "\n")]
}
