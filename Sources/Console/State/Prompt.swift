/// The bottom-line input: a `:` command or a `/` filter being typed.
public struct Prompt: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case command, filter }

    public var kind: Kind
    public var text: String

    public init(kind: Kind, text: String = "") {
        self.kind = kind
        self.text = text
    }
}
