/// Every key of the console, in a box over the middle of the screen.
enum HelpOverlay {
    static let lines = [
        ("q", "quit (workers keep running unless this is the demo)"),
        ("↑ ↓  j k", "move the selection"),
        ("g G  Home End", "first / last row"),
        ("Tab", "switch between the Workers and Models panels"),
        ("r", "refresh now"),
        ("Esc", "close this help, clear the status line"),
        ("?", "toggle this help"),
    ]

    static func render(into buffer: inout CellBuffer, area: Rect) {
        let width = min(area.width, 64)
        let height = min(area.height, lines.count + 4)
        guard width >= 20, height >= 4 else { return }
        let box = Rect(x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width: width, height: height)
        buffer.fill(box, with: .blank)
        buffer.box(box, title: "Keys", role: .title)
        for (i, (key, what)) in lines.enumerated() where i < box.inner.height - 1 {
            let y = box.inner.y + 1 + i
            buffer.put(key, x: box.inner.x + 1, y: y, role: .title, maxWidth: 14)
            buffer.put(what, x: box.inner.x + 16, y: y, role: .text, maxWidth: box.inner.width - 16)
        }
    }
}
