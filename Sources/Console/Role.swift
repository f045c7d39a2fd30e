/// What a piece of text means on screen. Widgets name roles; the theme decides how each looks.
public enum Role: String, Sendable, CaseIterable, Equatable {
    case text, muted, title, header, border, selected
    case ok, warn, critical, idle, lost
    case stable, canary
    case statusError
    /// The alert banner at the top.
    case alert
    /// Text the operator is typing: prompt, reason fields.
    case input
    /// A panel whose data failed to refresh.
    case stale
}

extension Role {
    /// One letter per role for golden role grids; `.` is plain text.
    public var code: Character {
        switch self {
        case .text: "."
        case .muted: "m"
        case .title: "T"
        case .header: "H"
        case .border: "b"
        case .selected: "S"
        case .ok: "o"
        case .warn: "w"
        case .critical: "C"
        case .idle: "i"
        case .lost: "L"
        case .stable: "s"
        case .canary: "c"
        case .statusError: "E"
        case .alert: "A"
        case .input: "I"
        case .stale: "z"
        }
    }
}
