import Foundation
import Logging
import NightjarCore
import PostgresNIO
import Registry
import Testing
import TestSupport

/// A throwaway PostgreSQL server for the tests: a fresh cluster in a temp folder, listening on
/// 127.0.0.1 only, on a free port, with its socket inside that folder. `initdb` refuses to run as
/// root, so as root the cluster belongs to the `postgres` user.
final class PostgresTestServer: Sendable {
    let directory: URL
    let port: Int
    private let binaries: URL

    static let user = "nightjar"

    private init(directory: URL, port: Int, binaries: URL) {
        self.directory = directory
        self.port = port
        self.binaries = binaries
    }

    /// Starts a server; stopped by `stop()`, which the `.postgresServer` trait calls whatever the tests did.
    static func start() throws -> PostgresTestServer {
        let binaries = try findBinaries()
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("nightjar-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        do {
            if getuid() == 0 {
                guard let account = getpwnam("postgres"), chown(directory.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                    throw NightjarError.unavailable(
                        "cannot hand \(directory.path) to the postgres user (initdb refuses root); run scripts/install-deps.sh (make deps)")
                }
            }
            let data = directory.appendingPathComponent("data")
            try run(binaries.appendingPathComponent("initdb"),
                    ["-D", data.path, "-A", "trust", "-U", user, "--no-sync", "-E", "UTF8", "--locale", "C"])
            // A free port can be taken between finding it and the server binding it; try a few.
            var lastError: (any Error)?
            for _ in 0..<3 {
                let port = try freeLoopbackPort()
                do {
                    try run(binaries.appendingPathComponent("pg_ctl"), [
                        "-D", data.path, "-w", "-t", "60", "-l", directory.appendingPathComponent("log").path,
                        "-o", "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                        "start",
                    ])
                    return PostgresTestServer(directory: directory, port: port, binaries: binaries)
                } catch {
                    lastError = error
                }
            }
            throw lastError ?? NightjarError.unavailable("PostgreSQL did not start")
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    func stop() {
        try? Self.run(binaries.appendingPathComponent("pg_ctl"), ["-D", directory.appendingPathComponent("data").path, "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    func location(database: String) -> RegistryStoreURL.PostgresLocation {
        RegistryStoreURL.PostgresLocation(host: "127.0.0.1", port: port, user: Self.user, password: nil, database: database)
    }

    /// A new empty database, for one test.
    func createDatabase() async throws -> String {
        let name = "nj_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try await admin("CREATE DATABASE \(name)")
        return name
    }

    /// Drops a test's database, closing whatever connections the test left open.
    func dropDatabase(_ name: String) async {
        try? await admin("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs one statement on the maintenance database. `sql` comes from the tests, never from input.
    func admin(_ sql: String, database: String = "postgres") async throws {
        let configuration = PostgresConnection.Configuration(host: "127.0.0.1", port: port, username: Self.user, password: nil,
                                                             database: database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "test.pg"))
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test.pg"))
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    // MARK: process plumbing

    private static func findBinaries() throws -> URL {
        let fm = FileManager.default
        var candidates = [URL(fileURLWithPath: "/usr/local/bin")]
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
        candidates += versions.map { URL(fileURLWithPath: "/usr/lib/postgresql/\($0)/bin") }
        for dir in candidates where fm.isExecutableFile(atPath: dir.appendingPathComponent("initdb").path)
            && fm.isExecutableFile(atPath: dir.appendingPathComponent("pg_ctl").path) {
            return dir
        }
        throw NightjarError.unavailable("PostgreSQL's initdb and pg_ctl are not installed; run scripts/install-deps.sh (make deps)")
    }

    /// Runs a PostgreSQL tool, as the `postgres` user when the tests run as root, and waits for it.
    /// posix_spawn and waitpid rather than Foundation's Process, whose wait did not return here once
    /// pg_ctl had left a server running.
    private static func run(_ tool: URL, _ arguments: [String]) throws {
        let argv = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", tool.path] + arguments : [tool.path] + arguments
        // A file, not a pipe: the server pg_ctl starts inherits its output and would hold a pipe open.
        let output = "/tmp/nightjar-pg-\(UUID().uuidString).out"
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArgs = argv.map { strdup($0) }
        defer { cArgs.forEach { free($0) } }
        cArgs.append(nil)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArgs, environ)
        guard spawned == 0 else {
            throw NightjarError.unavailable("cannot start \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED && WEXITSTATUS == 0, spelled out because the C macros are not visible from Swift.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw NightjarError.unavailable("\(tool.lastPathComponent) \(arguments.joined(separator: " ")) failed (status \(status)): \(text)")
        }
    }

    /// A port the kernel just handed out, released for PostgreSQL to bind.
    private static func freeLoopbackPort() throws -> Int {
        do { return try ClosedPort().port } catch {
            throw NightjarError.unavailable("cannot find a free port on 127.0.0.1: \(error)")
        }
    }
}

/// Starts one PostgreSQL server around a suite (and everything nested in it) and stops it afterwards,
/// also when a test fails or throws.
struct PostgresServerTrait: SuiteTrait, TestScoping {
    @TaskLocal static var current: PostgresTestServer?

    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try PostgresTestServer.start()
        do {
            try await Self.$current.withValue(server) { try await function() }
        } catch {
            server.stop()
            throw error
        }
        server.stop()
    }

    static func required() throws -> PostgresTestServer {
        guard let server = current else {
            throw NightjarError.unavailable("this test needs the .postgresServer trait on its suite")
        }
        return server
    }
}

extension Trait where Self == PostgresServerTrait {
    static var postgresServer: Self { PostgresServerTrait() }
}
