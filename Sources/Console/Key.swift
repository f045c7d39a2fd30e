/// A key press, decoded by the terminal backend.
public enum Key: Sendable, Equatable {
    case character(Character)
    case up, down, left, right
    case tab, enter, escape, backspace
    case pageUp, pageDown, home, end
}
