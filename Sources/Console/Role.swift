/// What a piece of text means on screen. Widgets name roles; the theme decides how each looks.
public enum Role: String, Sendable, CaseIterable, Equatable {
    case text, muted, title, header, border, selected
    case ok, warn, critical, idle, lost
    case stable, canary
    case statusError
}
