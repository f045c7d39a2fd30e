import Crypto
import Foundation
import NightjarCore

/// Lower-case hex SHA-256 of some bytes.
public func sha256Hex(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}

/// Model files, stored once per content under `root/sha256/ab/abcdef…`.
///
/// A write goes to a temp file in the same folder, is fsynced, then renamed into place, so a crash
/// leaves either no file or the whole file — never a torn artifact under a valid name.
public struct ArtifactStore: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    public func path(for sha256: String) -> URL {
        root.appendingPathComponent("sha256").appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
    }

    public func write(_ data: Data) throws -> (sha256: String, path: URL) {
        let sha = sha256Hex(data)
        let target = path(for: sha)
        let fm = FileManager.default
        if fm.fileExists(atPath: target.path), (try? read(sha256: sha)) != nil {
            return (sha, target)
        }
        let folder = target.deletingLastPathComponent()
        do {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw NightjarError.corrupt("cannot create artifact folder \(folder.path): \(error.localizedDescription)")
        }
        let temp = folder.appendingPathComponent(".tmp-\(UUID().uuidString)")
        guard fm.createFile(atPath: temp.path, contents: nil) else {
            throw NightjarError.corrupt("cannot write artifact file in \(folder.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temp)
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            try? fm.removeItem(at: temp)
            throw NightjarError.corrupt("cannot write artifact \(sha) to \(temp.path): \(error.localizedDescription)")
        }
        guard rename(temp.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(at: temp)
            throw NightjarError.corrupt("cannot move artifact into place at \(target.path): \(reason)")
        }
        return (sha, target)
    }

    /// Reads an artifact and checks that its bytes still hash to its name.
    public func read(sha256: String) throws -> Data {
        let file = path(for: sha256)
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw NightjarError.corrupt("artifact \(sha256) is missing from \(file.path)")
        }
        let actual = sha256Hex(data)
        guard actual == sha256 else {
            throw NightjarError.corrupt("artifact at \(file.path) is corrupt: expected sha256 \(sha256), found \(actual)")
        }
        return data
    }
}
