/// How a dialog, prompt or form field takes a key. Printable characters are typed and Backspace
/// deletes the last one; Ctrl-U clears the field, as in a shell. Any other control character (Ctrl-A,
/// a stray ESC byte), or anything else `CellBuffer` would not show as itself, is dropped: typed into a
/// reason it would be stored in the audit log and reach every terminal that shows it.
enum TextInput {
    /// What the terminal reports for Ctrl-U.
    static let clearLine: Character = "\u{15}"

    static func edit(_ text: inout String, with key: Key) {
        switch key {
        case .backspace:
            if !text.isEmpty { text.removeLast() }
        case .character(clearLine):
            text = ""
        case .character(let c) where !c.unicodeScalars.contains(where: CellBuffer.isUnprintable):
            text.append(c)
        default:
            break
        }
    }
}
