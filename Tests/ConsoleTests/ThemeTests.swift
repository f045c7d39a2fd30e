import Foundation
import Testing
@testable import Console

/// The bundled themes, user theme errors, and what mono keeps when colour goes.
@Suite struct ThemeTests {
    static let themesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes")

    static func bundled(_ name: String) throws -> Theme {
        try Theme.load(from: themesDirectory.appendingPathComponent("\(name).toml"))
    }

    @Test(arguments: ["default", "light", "high-contrast", "colorblind", "mono"])
    func bundledThemeStylesEveryRole(name: String) throws {
        let theme = try Self.bundled(name)
        #expect(theme.name == name)
        for role in Role.allCases {
            #expect(theme.styles[role] != nil, "\(name).toml has no [roles.\(role.rawValue)]")
        }
        // Health must be told apart by style, not only by symbol.
        let health = [Role.ok, .warn, .critical, .idle].map(theme.style)
        #expect(Set(health.map { "\($0)" }).count == 4, "\(name): ok, warn, critical and idle look alike")
        #expect(theme.style(.stable) != theme.style(.canary), "\(name): stable and canary look alike")
    }

    @Test func colorblindThemeNeverPairsRedWithGreen() throws {
        let theme = try Self.bundled("colorblind")
        let colours = Role.allCases.flatMap { [theme.style($0).foreground, theme.style($0).background] }
        #expect(!(colours.contains(.red) && colours.contains(.green)))
    }

    @Test func monoUsesNoColourYetKeepsMeaning() throws {
        let mono = try Self.bundled("mono")
        let original = try Self.bundled("default")
        for role in Role.allCases {
            #expect(mono.style(role).foreground == .default && mono.style(role).background == .default)
        }
        // Where the default theme tells critical from ok by colour, mono does by attribute.
        #expect(original.style(.critical).foreground != original.style(.ok).foreground)
        #expect(mono.style(.critical) != mono.style(.ok))
    }

    @Test func brokenThemeNamesTheLine() {
        let text = """
            name = "mine"
            [roles.text]
            fg = "green
            """
        #expect {
            try Theme.parse(text, file: "mine.toml")
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("mine.toml, line 3, column ")
        }
    }

    @Test func unknownRoleOrColourIsNamed() {
        #expect(throws: ThemeError("mine.toml: unknown role 'roles.okay' (roles are \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")) {
            try Theme.parse("[roles.okay]\nfg = \"green\"", file: "mine.toml")
        }
        #expect {
            try Theme.parse("[roles.ok]\nfg = \"chartreuse\"", file: "mine.toml")
        } throws: { "\($0)".contains("'roles.ok.fg'") && "\($0)".contains("not a colour") }
    }

    @Test func withoutColorDropsColoursOnly() throws {
        let theme = try Self.bundled("default").withoutColor()
        #expect(theme.style(.critical).foreground == .default)
        #expect(theme.style(.critical).bold)
    }
}
