import Foundation

/// Lays out the whole console: header, alert banner, the current view, the status line, and any
/// dialog or help on top. Every area is computed from the screen size, so nothing overlaps at
/// 80x24 or spills past the edge at any size.
public enum Screen {
    public static func render(_ state: AppState) -> CellBuffer {
        var buffer = CellBuffer(width: state.width, height: state.height)
        guard state.width > 0, state.height > 0 else { return buffer }
        HeaderBar.render(state, into: &buffer, area: Rect(x: 0, y: 0, width: state.width, height: 1))
        var top = 1
        if !state.alerts.isEmpty && state.height >= 6 {
            AlertBanner.render(state, into: &buffer, area: Rect(x: 0, y: 1, width: state.width, height: 1))
            top = 2
        }
        if state.height >= 2 {
            StatusBar.render(state, into: &buffer, area: Rect(x: 0, y: state.height - 1, width: state.width, height: 1))
        }
        let body = Rect(x: 0, y: top, width: state.width, height: state.height - top - 1)
        switch state.view {
        case .overview: overview(state, into: &buffer, body: body)
        case .endpoint(let name): EndpointDetail.render(state, name: name, into: &buffer, area: body)
        case .workers: WorkersPanel.render(state, into: &buffer, area: body)
        case .models: ModelsPanel.render(state, into: &buffer, area: body)
        case .events: EventsPanel.render(state, title: "Events", focused: true, into: &buffer, area: body)
        case .spotCheck: SpotCheckView.render(state, into: &buffer, area: body)
        case .drift(let name): DriftView.render(state, name: name, into: &buffer, area: body)
        }
        if let dialog = state.dialog { DialogView.render(dialog, state: state, into: &buffer, area: body) }
        if state.showHelp { HelpOverlay.render(state, into: &buffer, area: body) }
        if state.options.ascii { AsciiFallback.apply(&buffer) }
        return buffer
    }

    /// Rows the overview's recent events need to be worth showing: a header and a handful of events.
    static let recentEventsMinimumHeight = 8

    /// Endpoints first, sized to their rows (at most two thirds of the screen when workers are
    /// shown); workers below with what is left, when at least a few rows are left. When the workers
    /// leave enough rows, they are sized to their rows too and the newest events fill the rest, so
    /// "since when" is on the home screen.
    static func overview(_ state: AppState, into buffer: inout CellBuffer, body: Rect) {
        let ranked = state.rankedEndpoints
        let wanted = max(4, ranked.count + 3)
        let endpointsHeight = body.height >= 14 ? min(wanted, body.height * 2 / 3) : body.height
        EndpointsPanel.render(state, ranked: ranked, into: &buffer,
                              area: Rect(x: body.x, y: body.y, width: body.width, height: endpointsHeight))
        let rest = body.height - endpointsHeight
        guard rest >= 4 else { return }
        let workersWanted = max(4, state.shownWorkers.count + 3)
        let eventsHeight = rest - workersWanted
        let workersHeight = eventsHeight >= recentEventsMinimumHeight ? workersWanted : rest
        WorkersPanel.render(state, into: &buffer, area: Rect(x: body.x, y: body.y + endpointsHeight, width: body.width, height: workersHeight))
        if workersHeight < rest {
            EventsPanel.render(state, title: "Recent events", focused: false, scrolls: false, into: &buffer,
                               area: Rect(x: body.x, y: body.y + endpointsHeight + workersHeight, width: body.width, height: eventsHeight))
        }
    }
}
