import Foundation

/// Child processes of this binary, tracked so that every one of them is stopped on the way out.
/// Their pids are also written to a file, which lets a test prove none survived.
final class ChildProcesses: Sendable {
    struct Exited: Sendable {
        let pid: Int32
        let status: Int32
        let log: URL
    }

    private struct Child: @unchecked Sendable {
        // Process is not Sendable; every access goes through the mutex in `children`.
        let process: Process
        let log: URL
    }

    private let children = LockedBox<[Child]>([])
    let pidFile: URL

    init(pidFile: URL) {
        self.pidFile = pidFile
    }

    /// Starts this binary with `arguments`, its output to `log`, and `environment` over this process's own.
    func spawn(arguments: [String], environment: [String: String] = [:], log: URL) throws {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = Environment.executableURL
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, override in override }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let pids = children.withLock { list -> [Int32] in
            list.append(Child(process: process, log: log))
            return list.map(\.process.processIdentifier)
        }
        try pids.map(String.init).joined(separator: "\n").write(to: pidFile, atomically: true, encoding: .utf8)
    }

    func firstExited() -> Exited? {
        children.withLock { list in
            list.first { !$0.process.isRunning }.map {
                Exited(pid: $0.process.processIdentifier, status: $0.process.terminationStatus, log: $0.log)
            }
        }
    }

    /// SIGTERM to each, a grace period, then SIGKILL for any that linger.
    func stopAll(grace: Duration = .seconds(5)) async {
        let pids = children.withLock { $0.filter { $0.process.isRunning }.map(\.process.processIdentifier) }
        for pid in pids { kill(pid, SIGTERM) }
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while clock.now < deadline, children.withLock({ $0.contains { $0.process.isRunning } }) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        children.withLock { list in
            for child in list where child.process.isRunning {
                kill(child.process.processIdentifier, SIGKILL)
                child.process.waitUntilExit()
            }
        }
    }
}
