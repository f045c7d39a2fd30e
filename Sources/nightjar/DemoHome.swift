import Foundation

/// The demo's own folder, `$NIGHTJAR_HOME/demo`, emptied at every start: the demo's registry is
/// made afresh each run (its versions and reference profiles are immutable, so a second run could
/// not push them again), and it never mixes with a registry the operator keeps in `$NIGHTJAR_HOME`.
/// A lock beside the folder, held while the demo runs, keeps a second demo from emptying it under
/// a running one.
final class DemoHome: Sendable {
    let url: URL
    let lockFile: URL
    var logs: URL { url.appendingPathComponent("logs") }
    private let lockDescriptor: Int32

    private init(url: URL, lockFile: URL, lockDescriptor: Int32) {
        self.url = url
        self.lockFile = lockFile
        self.lockDescriptor = lockDescriptor
    }

    deinit { close(lockDescriptor) }

    /// Takes the lock, then empties the folder. Fails, leaving the folder alone, if another demo holds it.
    static func claim(under home: URL) throws -> DemoHome {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let url = home.appendingPathComponent("demo")
        let lockFile = home.appendingPathComponent("demo.lock")
        let descriptor = open(lockFile.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CommandFailure("cannot open the demo's lock file \(lockFile.path): \(String(cString: strerror(errno)))")
        }
        // The lock goes with the process, however it ends: no stale lock after a crash.
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK ? "another `nightjar demo` is running with this NIGHTJAR_HOME"
                : String(cString: strerror(errno))
            close(descriptor)
            throw CommandFailure("\(lockFile.path): \(reason); stop it first, or give this demo a NIGHTJAR_HOME of its own")
        }
        let home = DemoHome(url: url, lockFile: lockFile, lockDescriptor: descriptor)
        if FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.removeItem(at: url)
        }
        try FileManager.default.createDirectory(at: home.logs, withIntermediateDirectories: true)
        return home
    }
}
