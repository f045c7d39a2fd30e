import Foundation

/// Lays out the whole console: header, workers, models, status line, and the help overlay on top.
public enum Screen {
    public static func render(_ state: AppState) -> CellBuffer {
        var buffer = CellBuffer(width: state.width, height: state.height)
        guard state.width > 0, state.height > 0 else { return buffer }
        HeaderBar.render(state, into: &buffer, area: Rect(x: 0, y: 0, width: state.width, height: 1))
        StatusBar.render(state, into: &buffer, area: Rect(x: 0, y: state.height - 1, width: state.width, height: 1))

        let body = Rect(x: 0, y: 1, width: state.width, height: state.height - 2)
        // Workers first: they carry the live numbers the operator came for. Models get what is left,
        // at most a third of the screen.
        let modelsHeight = body.height >= 12 ? min(max(4, state.models.count + 3), body.height / 3) : 0
        let workersArea = Rect(x: body.x, y: body.y, width: body.width, height: body.height - modelsHeight)
        WorkersPanel.render(state, into: &buffer, area: workersArea)
        if modelsHeight > 0 {
            ModelsPanel.render(state, into: &buffer, area: Rect(x: body.x, y: workersArea.y + workersArea.height,
                                                                 width: body.width, height: modelsHeight))
        }
        if state.showHelp { HelpOverlay.render(into: &buffer, area: body) }
        return buffer
    }
}
