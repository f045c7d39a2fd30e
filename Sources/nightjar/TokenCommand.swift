import ArgumentParser
import Foundation
import NightjarCore

/// `nightjar token create|list|revoke` (admin).
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke API tokens (admin).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; its secret is printed this once.")
        @Argument(help: "A name for the token, recorded as the actor of every change made with it.") var name: String
        @Option(help: "viewer, operator or admin.") var role = "operator"
        @OptionGroup var server: ServerAddressOption

        func run() async throws {
            guard let role = AccessRole(rawValue: role) else {
                throw CommandFailure("--role: '\(self.role)' is not a role; use \(AccessRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let created = try await server.client().createToken(name: name, role: role)
            print(created.token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var server: ServerAddressOption

        func run() async throws {
            let formatter = ISO8601DateFormatter()
            let rows = [["NAME", "ROLE", "CREATED", "BY"]] + (try await server.client().tokens()).map {
                [$0.name, $0.role.rawValue, formatter.string(from: $0.createdAt), $0.createdBy]
            }
            print(TextTable.render(rows))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token; it stops working at once.")
        @Argument(help: "The token's name.") var name: String
        @OptionGroup var server: ServerAddressOption

        func run() async throws {
            try await server.client().revokeToken(name: name)
            print("revoked \(name)")
        }
    }
}
