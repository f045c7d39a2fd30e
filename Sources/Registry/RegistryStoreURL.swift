import Foundation
import Logging
import NightjarCore
import PostgresNIO

/// Where `nightjar server` keeps its registry: `sqlite` (the default: `HOME/registry.sqlite`) or a
/// `postgres://user[:password]@host[:port]/database` URL. Artifacts always live under `HOME/artifacts`,
/// which replicas sharing one database must share too.
public enum RegistryStoreURL: Sendable, Equatable {
    case sqlite(home: URL)
    case postgres(PostgresLocation, home: URL)

    public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String

        public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
        }

        /// The URL without its password, for logs and error messages.
        public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }
    }

    /// Parses `--store`; nil or `sqlite` means the SQLite file in `home`.
    public init(parsing text: String?, home: URL) throws {
        let text = text?.trimmingCharacters(in: .whitespaces) ?? ""
        if text.isEmpty || text == "sqlite" {
            self = .sqlite(home: home)
            return
        }
        self = .postgres(try Self.parsePostgres(text), home: home)
    }

    static func parsePostgres(_ text: String) throws -> PostgresLocation {
        func invalid(_ what: String) -> NightjarError {
            .invalidArgument("--store: '\(redacted(text))' \(what); expected sqlite or postgres://user[:password]@host[:port]/database")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw invalid("is not a URL")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw invalid("has scheme '\(scheme)', which is not a store (only sqlite and postgres are)")
        }
        guard let host = components.host, !host.isEmpty else { throw invalid("names no host") }
        guard let user = components.user, !user.isEmpty else { throw invalid("names no user (postgres://USER@host/database)") }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw invalid("has port \(port), which is not between 1 and 65535") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty else { throw invalid("names no database (postgres://user@host/DATABASE)") }
        guard !path.contains("/") else { throw invalid("has database '\(path)'; a database name has no '/'") }
        if let items = components.queryItems, let first = items.first {
            throw invalid("has option '\(first.name)', which this store does not read; connections are plain TCP without TLS")
        }
        return PostgresLocation(host: host, port: port, user: user, password: components.password, database: path)
    }

    /// The text without a password, so a mistyped URL can be shown without leaking it.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }

    /// Opens the store (connecting and migrating a PostgreSQL database).
    public func open(logger: Logger = Logger(label: "nightjar.registry")) async throws -> any RegistryStore {
        switch self {
        case .sqlite(let home):
            return try SQLiteRegistry(home: home)
        case .postgres(let location, let home):
            return try await PostgresRegistry(location: location, artifactRoot: home.appendingPathComponent("artifacts"), logger: logger)
        }
    }
}

extension PostgresRegistry {
    /// Connects to `location` without TLS: the database is expected on a private network or loopback.
    public convenience init(location: RegistryStoreURL.PostgresLocation, artifactRoot: URL,
                            logger: Logger = Logger(label: "nightjar.registry.postgres")) async throws {
        try await PostgresRegistry.probe(location, logger: logger)
        let configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: .disable)
        try await self.init(configuration: configuration, location: location.description, artifactRoot: artifactRoot, logger: logger)
    }

    /// One plain connection first: the pool retries a failing connect quietly, which would leave a
    /// server with a mistyped URL waiting forever instead of saying what is wrong.
    static func probe(_ location: RegistryStoreURL.PostgresLocation, logger: Logger) async throws {
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: .disable)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        } catch let error as PSQLError {
            let reason = error.serverInfo?[.message] ?? error.underlying.map { "\($0)" } ?? "\(error.code)"
            throw NightjarError.unavailable(
                "cannot connect to the registry database \(location): \(reason); check the --store URL and that PostgreSQL runs there")
        } catch {
            throw NightjarError.unavailable(
                "cannot connect to the registry database \(location): \(error); check the --store URL and that PostgreSQL runs there")
        }
        try? await connection.close()
    }
}
