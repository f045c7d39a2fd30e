import NightjarCore

/// The registry: one line per model with its versions, newest last.
enum ModelsPanel {
    static func render(_ state: AppState, into buffer: inout CellBuffer, area: Rect) {
        guard area.height >= 3 else { return }
        let models = state.shownModels
        let focused = state.view == .models
        var title = "Models (\(models.count)\(state.filter.isEmpty ? "" : " of \(state.models.count)"))"
        if !state.filter.isEmpty { title += " /\(state.filter)" }
        let inner = PanelFrame.draw(title, feed: state.modelsFeed, focused: focused, into: &buffer, area: area)
        if models.isEmpty {
            if state.modelsFeed.lastSuccess == nil && state.modelsFeed.failure != nil {
                PanelFrame.unavailable(state.modelsFeed, what: "models", into: &buffer, area: inner)
            } else {
                let message = state.modelsFeed.lastSuccess == nil ? "loading models…"
                    : state.models.isEmpty ? "no models in the registry: nightjar push model.onnx --name NAME --version 1.0.0"
                    : "no model matches /\(state.filter)"
                buffer.put(message, x: inner.x + 1, y: inner.y, role: .muted, maxWidth: inner.width - 1)
            }
            return
        }
        let first = max(0, min(state.selectedModel - inner.height + 1, models.count - inner.height))
        for (offset, model) in models.dropFirst(first).prefix(inner.height).enumerated() {
            let y = inner.y + offset
            let newest = model.versions.last
            let versions = model.versions.map(\.version.description).joined(separator: "  ")
            var line = model.name.padding(toLength: 16, withPad: " ", startingAt: 0)
            line += "\(model.versions.count) version\(model.versions.count == 1 ? "" : "s"): \(versions)"
            if let newest {
                line += "   newest \(newest.version)  sha256 \(newest.sha256.prefix(12))  \(newest.sizeBytes) B"
            }
            buffer.put(line, x: inner.x + 1, y: y, role: .text, maxWidth: inner.width - 1)
            if focused && first + offset == state.selectedModel {
                buffer.paint(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selected)
            }
        }
    }
}
