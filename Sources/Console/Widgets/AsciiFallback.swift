/// `--ascii`: every box-drawing, block and symbol character the widgets use, in plain ASCII.
/// Applied to the finished frame, so no widget needs to know.
enum AsciiFallback {
    static let table: [Unicode.Scalar: Unicode.Scalar] = [
        "─": "-", "│": "|", "┌": "+", "┐": "+", "└": "+", "┘": "+", "├": "+", "┤": "+",
        "●": "*", "▲": "!", "✖": "X", "○": "o", "✔": "v", "▶": ">", "‖": "=", "→": ">", "←": "<",
        "↑": "^", "↓": "v", "·": ".", "…": "~", "▏": "_", "—": "-", "≠": "#", "χ": "x", "²": "2", "≥": ">", "≤": "<",
        "█": "#", "▒": "=", "░": ".",
        "◐": "@", "Δ": "d",
        "▁": "_", "▂": ".", "▃": ":", "▄": "-", "▅": "=", "▆": "+", "▇": "*",
    ]

    static func apply(_ buffer: inout CellBuffer) {
        buffer.mapCharacters { table[$0] ?? ($0.isASCII ? $0 : "?") }
    }
}
