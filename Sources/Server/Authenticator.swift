import Foundation
import Hummingbird
import NightjarCore
import Registry
import ServiceSupport

/// Who is calling and whether their role allows what they ask. Every `/api/v1` handler asks first.
///
/// With tokens on (the default), the caller is the bearer token's name, which is what the audit log
/// records; the `Nightjar-Actor` header counts only when tokens are off (a loopback-only setup).
public struct Authenticator: Sendable {
    public enum Mode: Sendable, Equatable {
        case tokens
        /// Everyone is admin; only allowed on a loopback address.
        case disabled
    }

    let store: any TokenStore
    public let mode: Mode

    public init(store: any TokenStore, mode: Mode) {
        self.store = store
        self.mode = mode
    }

    /// The caller's name for the audit log, if their role is at least `role`; else 401 or 403 saying why.
    func require(_ role: AccessRole, _ request: Request, to action: String) async throws -> String {
        guard mode == .tokens else { return ControlPlaneRoutes.actor(request) }
        guard let header = request.headers[.authorization] else {
            throw NightjarError.unauthorized(
                "no API token: send `Authorization: Bearer TOKEN`. The server wrote an admin token to $NIGHTJAR_HOME/token; "
                    + "the CLI and console read it from there or from NIGHTJAR_TOKEN")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw NightjarError.unauthorized("the Authorization header must be `Bearer TOKEN`")
        }
        guard let caller = try await store.token(secretHash: Self.hash(String(parts[1]))) else {
            throw NightjarError.unauthorized("this API token is not known to the server (revoked, or from another server)")
        }
        guard caller.role >= role else {
            throw NightjarError.forbidden("token '\(caller.name)' has role \(caller.role.rawValue); to \(action) needs \(role.rawValue) or above")
        }
        return caller.name
    }

    /// On a server's first start, creates an admin token and writes its secret to `file` (mode 0600).
    /// Returns whether it did; a server that already has tokens leaves everything as it is.
    @discardableResult
    public static func bootstrap(store: any TokenStore, tokenFile file: URL) async throws -> Bool {
        guard try await store.tokens().isEmpty else { return false }
        let secret = newSecret()
        try await store.createToken(AccessTokenInfo(name: "admin", role: .admin, createdAt: Date(), createdBy: "nightjar server"),
                                    secretHash: hash(secret))
        let fm = FileManager.default
        // Created with 0600 from the start: the secret is never readable by others, not even for a moment.
        fm.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600])
        do {
            try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
            try Data((secret + "\n").utf8).write(to: file)
        } catch {
            throw NightjarError.unavailable("cannot write the admin token to \(file.path): \(error.localizedDescription)")
        }
        return true
    }

    /// 32 random bytes, hex, with a prefix that makes a leaked token easy to recognise.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "nj_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Tokens are long random strings, so a plain sha256 is enough to store them safely.
    public static func hash(_ secret: String) -> String {
        sha256Hex(Data(secret.utf8))
    }
}
