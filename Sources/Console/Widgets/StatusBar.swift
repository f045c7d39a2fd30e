/// The bottom line: the prompt being typed, else a status message, else key hints for the view.
enum StatusBar {
    static func render(_ state: AppState, into buffer: inout CellBuffer, area: Rect) {
        if let prompt = state.prompt {
            let sigil = prompt.kind == .command ? ":" : "/"
            var x = area.x + buffer.put(sigil + prompt.text + "▏", x: area.x, y: area.y, role: .input, maxWidth: area.width)
            if prompt.kind == .command {
                let names = state.endpoints.map(\.endpoint)
                let found = PromptCommand.candidates(for: prompt.text, endpoints: names)
                let hint = found.isEmpty ? "  no such command" : "  " + found.prefix(6).joined(separator: "  ") + (found.count > 6 ? "  …" : "")
                x += buffer.put(hint, x: x, y: area.y, role: found.isEmpty ? .statusError : .muted, maxWidth: area.x + area.width - x)
            } else {
                buffer.put("  Enter keep · Esc clear", x: x, y: area.y, role: .muted, maxWidth: area.x + area.width - x)
            }
            return
        }
        if let status = state.status {
            buffer.put(" " + status.text, x: area.x, y: area.y, role: status.isError ? .statusError : .text, maxWidth: area.width)
            return
        }
        if state.inFlight > 0 {
            buffer.put(" working…", x: area.x, y: area.y, role: .muted, maxWidth: area.width)
            return
        }
        buffer.put(" " + hints(state), x: area.x, y: area.y, role: .muted, maxWidth: area.width)
    }

    static func hints(_ state: AppState) -> String {
        let filter = state.filter.isEmpty ? "" : "/\(state.filter)  Esc clear  "
        let mutations = state.options.readOnly ? "" : "  R rollback"
        switch state.view {
        case .overview:
            return filter + "Enter open\(mutations)  Tab pane  : command  / filter  ? help  q quit"
        case .endpoint:
            return filter + (state.options.readOnly
                ? "←→ version  d drift  Tab events  Esc back  ? help"
                : "+ - shift  ←→ version  d drift  R rollback  P promote  H hold  U resume  X abort  Esc back  ? help")
        case .events:
            return filter + "y copy  Y copy all  : command  / filter  Esc back  ? help"
        case .drift:
            if state.drift.enlarged { return "↑↓ column  ←→ version  Enter table  Esc back  ? help" }
            return filter + "↑↓ column  ←→ version  Enter enlarge\(mutations)  / filter  Esc back  ? help"
        case .spotCheck:
            return "↑↓ field  type a value  Enter run  Esc back"
        case .workers, .models:
            return filter + ": command  / filter  Esc back  ? help"
        }
    }
}
