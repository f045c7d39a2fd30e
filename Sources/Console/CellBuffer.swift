/// A rectangle of the screen.
public struct Rect: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// The area inside a one-cell border.
    public var inner: Rect { Rect(x: x + 1, y: y + 1, width: width - 2, height: height - 2) }
}

/// One screen cell: a character and what it means. The character is one Unicode scalar: every
/// glyph the console draws is one, and a plain-value cell makes a full frame cheap to paint and
/// compare (no reference counting per cell).
///
/// A wide character (CJK, emoji: `DisplayWidth`) takes two cells, as on the terminal: the cell
/// holding it, then a continuation cell that holds nothing of its own and that renderers skip.
public struct Cell: Sendable, Equatable {
    public var character: Unicode.Scalar
    public var role: Role
    /// The right half of the wide character in the cell before it.
    public var isContinuation = false

    public init(_ character: Unicode.Scalar, _ role: Role = .text) {
        self.character = character
        self.role = role
    }

    public static let blank = Cell(" ")

    /// The right half of a wide character drawn in `role`.
    static func continuation(_ role: Role) -> Cell {
        var cell = Cell(" ", role)
        cell.isContinuation = true
        return cell
    }
}

/// A frame of the console, painted by widgets and handed to a terminal. Every write is clipped,
/// so no widget can draw outside the screen however small the terminal is.
public struct CellBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            set(newValue, x: x, y: y)
        }
    }

    /// Writes one cell inside the buffer. Overwriting either half of a wide character blanks its
    /// other half: half a wide character is not something a terminal can draw, and a continuation
    /// left without its character would be skipped by the renderer, keeping a stale cell on screen.
    private mutating func set(_ cell: Cell, x: Int, y: Int) {
        let i = y * width + x
        if cells[i].isContinuation, x > 0, !cell.isContinuation {
            cells[i - 1] = Cell(" ", cells[i - 1].role)
        }
        if x + 1 < width, cells[i + 1].isContinuation {
            cells[i + 1] = Cell(" ", cells[i + 1].role)
        }
        cells[i] = cell
    }

    /// What a character the terminal would not draw as exactly one cell is shown as.
    public static let placeholder: Unicode.Scalar = "\u{FFFD}"

    /// Control characters (newline, tab, ESC, …), invisible formatting (zero-width spaces, direction
    /// overrides), line separators and combining marks: a terminal moves the cursor, starts an escape
    /// sequence, draws `^U` in two cells or draws nothing for them, so the screen would no longer be
    /// the buffer — lines break, borders are overwritten, and cells the frame diff thinks unchanged
    /// keep stale characters until a resize.
    public static func isUnprintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .nonspacingMark, .enclosingMark: true
        default: false
        }
    }

    /// What `put` draws for `scalar`: itself, or one `placeholder` when it is unprintable. Whatever
    /// measures text in cells (`DisplayWidth.of`, `Format.pad`) measures this.
    public static func shown(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        isUnprintable(scalar) ? placeholder : scalar
    }

    /// Writes `text` from (x, y), cut at `maxWidth` cells and at the right edge. Returns the cells
    /// written. Text from the server (reasons, event messages) is written as it came, so each
    /// unprintable character becomes one `placeholder` cell: no text can move the cursor or break the frame.
    /// A wide character takes two cells (`DisplayWidth`); one that would not fit whole before the
    /// limit ends the text there, so nothing reaches past a panel's border.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role = .text, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(maxWidth ?? Int.max, width - x)
        var written = 0
        for scalar in text.unicodeScalars {
            let character = Self.shown(scalar)
            let cells = DisplayWidth.of(character)
            guard written + cells <= limit else { break }
            let cx = x + written
            if cells == 2, cx >= 0 {
                set(Cell(character, role), x: cx, y: y)
                set(.continuation(role), x: cx + 1, y: y)
            } else if cells == 2, cx + 1 >= 0 {
                // Cut by the left edge: its visible half is blank.
                set(Cell(" ", role), x: cx + 1, y: y)
            } else if cx >= 0 {
                set(Cell(character, role), x: cx, y: y)
            }
            written += cells
        }
        return max(0, written)
    }

    public mutating func fill(_ rect: Rect, with cell: Cell) {
        for y in max(0, rect.y)..<max(max(0, rect.y), min(height, rect.y + rect.height)) {
            for x in max(0, rect.x)..<max(max(0, rect.x), min(width, rect.x + rect.width)) { set(cell, x: x, y: y) }
        }
    }

    /// Gives every cell of a rectangle one role, keeping its characters (row highlighting).
    public mutating func paint(_ rect: Rect, role: Role) {
        for y in max(0, rect.y)..<min(height, rect.y + rect.height) {
            for x in max(0, rect.x)..<min(width, rect.x + rect.width) { cells[y * width + x].role = role }
        }
    }

    /// A box-drawing border with a title in the top edge.
    public mutating func box(_ rect: Rect, title: String, role: Role = .border, titleRole: Role = .title) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let right = rect.x + rect.width - 1
        let bottom = rect.y + rect.height - 1
        for x in (rect.x + 1)..<right {
            self[x, rect.y] = Cell("─", role)
            self[x, bottom] = Cell("─", role)
        }
        for y in (rect.y + 1)..<bottom {
            self[rect.x, y] = Cell("│", role)
            self[right, y] = Cell("│", role)
        }
        self[rect.x, rect.y] = Cell("┌", role)
        self[right, rect.y] = Cell("┐", role)
        self[rect.x, bottom] = Cell("└", role)
        self[right, bottom] = Cell("┘", role)
        if !title.isEmpty, rect.width > 4 {
            put(" \(title) ", x: rect.x + 2, y: rect.y, role: titleRole, maxWidth: rect.width - 4)
        }
    }

    /// Replaces every character, keeping roles (the ASCII fallback). A wide character replaced by a
    /// narrow one leaves its continuation as a blank cell, so the renderer writes it.
    public mutating func mapCharacters(_ transform: (Unicode.Scalar) -> Unicode.Scalar) {
        for i in cells.indices where !cells[i].isContinuation {
            cells[i].character = transform(cells[i].character)
            if i + 1 < cells.count, cells[i + 1].isContinuation, DisplayWidth.of(cells[i].character) == 1 {
                cells[i + 1] = Cell(" ", cells[i + 1].role)
            }
        }
    }

    /// The roles as lines of one letter each (`Role.code`): what a golden test compares so a theme-
    /// relevant change of meaning (ok vs critical) shows even where the characters are the same.
    public func roleGrid() -> String {
        (0..<height).map { y in String((0..<width).map { cells[y * width + $0].role.code }) }.joined(separator: "\n")
    }

    /// The characters as lines of text, trailing spaces trimmed: what a golden test compares. A wide
    /// character's continuation adds nothing, so the line lines up as the terminal shows it.
    public func text() -> String {
        (0..<height).map { y in
            var line = String.UnicodeScalarView()
            line.append(contentsOf: (0..<width).compactMap { cells[y * width + $0].isContinuation ? nil : cells[y * width + $0].character })
            return String(String(line).reversed().drop { $0 == " " }.reversed())
        }.joined(separator: "\n")
    }
}
