import Foundation
import NightjarCore
import Registry
import Testing

/// API tokens, stored as hashes, the same on every store.
extension StoreConformance {
    @Suite struct Tokens {
        /// Whole seconds survive every store's date precision.
        static let createdAt = Date(timeIntervalSince1970: 1_790_000_000)

        @Test(arguments: StoreKind.allCases) func tokensAreCreatedFoundListedAndRevoked(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
                let ci = AccessTokenInfo(name: "ci", role: .admin, createdAt: Self.createdAt, createdBy: "root")
                let viewer = AccessTokenInfo(name: "alice", role: .viewer, createdAt: Self.createdAt, createdBy: "ci")
                try await registry.createToken(ci, secretHash: "hash-ci")
                try await registry.createToken(viewer, secretHash: "hash-alice")

                #expect(try await registry.token(secretHash: "hash-ci") == ci)
                #expect(try await registry.token(secretHash: "hash-unknown") == nil)
                #expect(try await registry.tokens() == [viewer, ci])

                await #expect(throws: NightjarError.conflict("a token named 'ci' already exists; revoke it first or pick another name")) {
                    try await registry.createToken(AccessTokenInfo(name: "ci", role: .viewer, createdAt: Self.createdAt, createdBy: "x"),
                                                   secretHash: "hash-other")
                }
                await #expect {
                    try await registry.createToken(AccessTokenInfo(name: "bad name", role: .viewer, createdAt: Self.createdAt, createdBy: "x"),
                                                   secretHash: "hash-bad")
                } throws: { error in
                    guard case NightjarError.invalidArgument(let message) = error else { return false }
                    return message.contains("token name 'bad name' is invalid")
                }

                try await registry.revokeToken(name: "ci", actor: "root")
                #expect(try await registry.token(secretHash: "hash-ci") == nil)
                #expect(try await registry.tokens() == [viewer])
                await #expect(throws: NightjarError.notFound("no token named 'ci'")) {
                    try await registry.revokeToken(name: "ci", actor: "root")
                }

                let audit = try await registry.auditLog(limit: 10)
                #expect(audit.map(\.action) == ["token.revoke", "token.create", "token.create"])
                #expect(audit[0].subject == "ci" && audit[0].from == "admin" && audit[0].actor == "root")
                #expect(audit[1].subject == "alice" && audit[1].to == "viewer" && audit[1].actor == "ci")
            }
        }
    }
}
