import Foundation

/// Runs a helper program (python3, promtool, bash, tmux) from a test and waits for it without
/// holding a Swift concurrency thread.
///
/// Why not Foundation's `Process` and `waitUntilExit()` inside an async test: the cooperative pool
/// has one thread per core, two on CI. A test that blocks one of them while the child talks to a
/// server living in this same test process (the Triton client against an in-process worker, curl
/// against an in-process control plane) starves that server, and with two such tests every other
/// test stalls until its deadline. Here the child is started with posix_spawn and waited for with
/// waitpid on a thread of its own; the awaiting task is resumed when the child exits.
///
/// Output goes through a file, not a pipe: a daemon the child leaves behind (the tmux server,
/// PostgreSQL under pg_ctl) inherits the descriptor and would hold a pipe open forever.
///
/// The child gets standard input, output and error and nothing else. SwiftNIO opens its sockets
/// without close-on-exec, so a child would otherwise hold every connection the test process has
/// open at that moment: a client's hang-up then sends no FIN until the child exits, and a test
/// of the gateway noticing that hang-up failed whenever another suite had just started a helper.
public struct ChildProcess: Sendable {
    public struct Result: Sendable {
        public let status: Int32
        public let output: String
        public var succeeded: Bool { status == 0 }
    }

    public var arguments: [String]
    public var standardInput: Data?
    public var currentDirectory: String?
    public var environment: [String: String]?
    /// Gives the child the signal mask and handlers a shell would (the test runner blocks some).
    public var defaultSignals = true

    /// `arguments[0]` is looked up on PATH.
    public init(_ arguments: [String], standardInput: Data? = nil, currentDirectory: String? = nil,
                environment: [String: String]? = nil) {
        self.arguments = arguments
        self.standardInput = standardInput
        self.currentDirectory = currentDirectory
        self.environment = environment
    }

    public func run() async -> Result {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: runBlocking()) }
            thread.start()
        }
    }

    /// Starts the program with its output going to `outputPath` and returns at once; the caller
    /// waits for (or kills and reaps) the child itself, with waitpid, never Foundation's Process.
    public func start(outputPath: String) throws -> pid_t {
        guard let program = arguments.first else { throw ChildProcessError(message: "no program to run") }
        let inputPath = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-child-\(UUID().uuidString).in").path
        // The child has opened its standard input by the time posix_spawn returns.
        defer { unlink(inputPath) }
        if let standardInput {
            guard FileManager.default.createFile(atPath: inputPath, contents: standardInput) else {
                throw ChildProcessError(message: "cannot write the standard input of \(program) to \(inputPath)")
            }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, standardInput == nil ? "/dev/null" : inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        try Self.closeFrom(3, &actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if defaultSignals {
            var empty = sigset_t()
            sigemptyset(&empty)
            var defaults = sigset_t()
            sigemptyset(&defaults)
            for signal in [SIGHUP, SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, signal) }
            posix_spawnattr_setsigmask(&attributes, &empty)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        }

        // Glibc's posix_spawn_file_actions_addchdir_np is not visible from Swift: a shell changes directory.
        let command = currentDirectory.map { ["/bin/sh", "-c", #"cd "$0" && exec "$@""#, $0] + arguments } ?? arguments
        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { envp?.forEach { free($0) } }

        var pid: pid_t = 0
        let spawned = envp.map { envp in
            envp.withUnsafeBufferPointer { posix_spawnp(&pid, command[0], &actions, &attributes, argv, $0.baseAddress) }
        } ?? posix_spawnp(&pid, command[0], &actions, &attributes, argv, environ)
        guard spawned == 0 else {
            throw ChildProcessError(message: "cannot start \(program): \(String(cString: strerror(spawned)))")
        }
        return pid
    }

    /// Glibc's posix_spawn_file_actions_addclosefrom_np (2.34 and later) is declared only for
    /// _GNU_SOURCE, which Swift's Glibc module does not define: it is looked up by name.
    private static func closeFrom(_ descriptor: Int32, _ actions: inout posix_spawn_file_actions_t) throws {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
            throw ChildProcessError(message: "this C library has no posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later is needed)")
        }
        let status = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, descriptor)
        guard status == 0 else {
            throw ChildProcessError(message: "posix_spawn_file_actions_addclosefrom_np failed: \(String(cString: strerror(status)))")
        }
    }

    /// The same, for the rare caller that is not async (a test scope's setup).
    public func runBlocking() -> Result {
        guard !arguments.isEmpty else { return Result(status: -1, output: "no program to run") }
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-child-\(UUID().uuidString).out").path
        defer { unlink(outputPath) }
        let pid: pid_t
        do { pid = try start(outputPath: outputPath) } catch {
            return Result(status: -1, output: "\(error)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED ? WEXITSTATUS : -1, spelled out because the C macros are not visible from Swift.
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
        return Result(status: exitCode, output: output)
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
