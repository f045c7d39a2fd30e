import Foundation
import NightjarCore
import Registry
import Testing

/// A fresh temp folder per test, so each test has its own real SQLite file. Removed with an explicit
/// `defer`, not a deinit, because Swift may end a value's lifetime at its last use, mid-test.
struct TempHome {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-registry-\(UUID().uuidString)")
    func remove() { try? FileManager.default.removeItem(at: url) }

    func artifactFile(_ sha: String) -> URL {
        url.appendingPathComponent("artifacts/sha256/\(sha.prefix(2))/\(sha)")
    }

    /// Every file under artifacts/, temp files included, to check what a push left on disk.
    func artifactFiles() -> [String] {
        let root = url.appendingPathComponent("artifacts")
        let all = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        return all.filter { !isDirectory(root.appendingPathComponent($0)) }.sorted()
    }

    private func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }
}

func ref(_ text: String) throws -> ModelRef { try ModelRef(parsing: text) }

func isConflict(_ error: any Error, containing parts: [String] = []) -> Bool {
    guard case NightjarError.conflict(let message) = error else { return false }
    return parts.allSatisfy(message.contains)
}
