import Foundation
import TOMLKit

/// How each role looks. Loaded from a TOML file in `themes/`; widgets never name colours.
public struct Theme: Sendable, Equatable {
    public enum Color: String, Sendable, CaseIterable {
        case `default`, black, red, green, yellow, blue, magenta, cyan, white
    }

    public struct Style: Sendable, Equatable {
        public var foreground: Color = .default
        public var background: Color = .default
        public var bold = false
        public var underline = false
        public var reverse = false
        public var dim = false

        public init(foreground: Color = .default, background: Color = .default, bold: Bool = false,
                    underline: Bool = false, reverse: Bool = false, dim: Bool = false) {
            self.foreground = foreground
            self.background = background
            self.bold = bold
            self.underline = underline
            self.reverse = reverse
            self.dim = dim
        }
    }

    public var name: String
    public var styles: [Role: Style]

    public func style(_ role: Role) -> Style { styles[role] ?? Style() }

    /// The same attributes without any colour: what `NO_COLOR` asks for.
    public func withoutColor() -> Theme {
        Theme(name: name + " (no colour)", styles: styles.mapValues { s in
            var s = s
            s.foreground = .default
            s.background = .default
            return s
        })
    }

    /// Parses a theme file. Errors name the file, the key and what was wrong.
    public static func load(from url: URL) throws -> Theme {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ThemeError("cannot read theme \(url.path): \(error.localizedDescription)")
        }
        return try parse(text, file: url.lastPathComponent)
    }

    public static func parse(_ text: String, file: String) throws -> Theme {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let at = error.source.begin
            throw ThemeError("\(file), line \(at.line), column \(at.column): not valid TOML: \(error.description)")
        } catch {
            throw ThemeError("\(file): not valid TOML: \(error)")
        }
        let name = table["name"]?.string ?? String(file.split(separator: ".").first ?? "theme")
        guard let roles = table["roles"]?.table else {
            throw ThemeError("\(file): missing [roles] table")
        }
        var styles: [Role: Style] = [:]
        for (key, value) in roles {
            guard let role = Role(rawValue: key) else {
                throw ThemeError("\(file): unknown role 'roles.\(key)' (roles are \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let entry = value.table else {
                throw ThemeError("\(file): 'roles.\(key)' must be a table such as { fg = \"green\", bold = true }")
            }
            var style = Style()
            for (field, v) in entry {
                let path = "roles.\(key).\(field)"
                switch field {
                case "fg", "bg":
                    guard let text = v.string, let color = Color(rawValue: text) else {
                        throw ThemeError("\(file): '\(path)' = \(v.debugDescription) is not a colour (use \(Color.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    if field == "fg" { style.foreground = color } else { style.background = color }
                case "bold", "underline", "reverse", "dim":
                    guard let flag = v.bool else { throw ThemeError("\(file): '\(path)' must be true or false") }
                    switch field {
                    case "bold": style.bold = flag
                    case "underline": style.underline = flag
                    case "reverse": style.reverse = flag
                    default: style.dim = flag
                    }
                default:
                    throw ThemeError("\(file): unknown key '\(path)' (use fg, bg, bold, underline, reverse, dim)")
                }
            }
            styles[role] = style
        }
        return Theme(name: name, styles: styles)
    }
}

public struct ThemeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
