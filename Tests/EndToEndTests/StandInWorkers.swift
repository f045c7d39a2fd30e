import Foundation
import NightjarCore
import Synchronization
import TestSupport

/// Workers that exist only as announcements: a thread of its own posts each one to the control plane
/// every 300 ms, so the versions stay ready however slow the run.
///
/// A thread rather than a task: CPU-heavy tests running in parallel can hold both concurrency threads
/// for seconds, and a starved heartbeat task let the server mark its workers lost (3 s) mid-test.
final class StandInWorkers: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let files: [String]

    init(_ refs: [ModelRef], server: String, token: String) throws {
        let encoder = JSONEncoder()
        files = try refs.enumerated().map { i, ref in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-standin-\(UUID().uuidString).json").path
            let announcement = WorkerAnnouncement(id: "stand-in-\(i)", model: ref, address: "http://127.0.0.1:900\(i)", pid: 1)
            try encoder.encode(announcement).write(to: URL(fileURLWithPath: path))
            return path
        }
        let files = self.files
        let beat: @Sendable () -> Void = {
            for file in files {
                _ = ChildProcess(["curl", "-sf", "-X", "POST", "\(server)/api/v1/workers", "-H", "Authorization: Bearer \(token)",
                                  "-H", "Content-Type: application/json", "--data-binary", "@\(file)"]).runBlocking()
            }
        }
        beat()
        Thread { [self] in
            while !self.stopped.load(ordering: .relaxed) {
                beat()
                Thread.sleep(forTimeInterval: 0.3)
            }
            files.forEach { unlink($0) }
        }.start()
    }

    func stop() { stopped.store(true, ordering: .relaxed) }
}
