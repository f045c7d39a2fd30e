/// A panel's box and title, with the staleness of its data in the title when a refresh failed.
enum PanelFrame {
    /// Draws the box; returns the inside.
    @discardableResult
    static func draw(_ title: String, feed: Feed?, focused: Bool, into buffer: inout CellBuffer, area: Rect) -> Rect {
        var text = title
        var titleRole: Role = focused ? .title : .border
        if let note = feed?.staleNote {
            text += " · \(note)"
            titleRole = .stale
        }
        buffer.box(area, title: text, role: focused ? .title : .border, titleRole: titleRole)
        return area.inner
    }

    /// Where the data could not be read at all: the reason, in the panel.
    static func unavailable(_ feed: Feed, what: String, into buffer: inout CellBuffer, area: Rect) {
        let message = "\(what) unavailable: \(feed.failure ?? "not loaded yet")"
        var y = area.y
        for line in Wrap.lines(message, width: area.width - 2) where y < area.y + area.height {
            buffer.put(line, x: area.x + 1, y: y, role: .stale, maxWidth: area.width - 1)
            y += 1
        }
    }
}

/// Word wrapping for messages in dialogs and panels.
enum Wrap {
    static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            var word = String(word)
            while word.count > width {
                if !current.isEmpty { lines.append(current); current = "" }
                lines.append(String(word.prefix(width)))
                word = String(word.dropFirst(width))
            }
            if current.isEmpty {
                current = word
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}
