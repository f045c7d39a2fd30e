import Crypto
import Foundation
import NightjarCore

/// Lower-case hex SHA-256 of some bytes.
public func sha256Hex(_ data: Data) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(64)
    for byte in SHA256.hash(data: data) {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Model files, stored once per content under `root/sha256/ab/abcdef…`.
///
/// A write goes to a temp file in the same folder, is fsynced, then renamed into place and the
/// folder fsynced, so a crash leaves either no file or the whole file — never a torn artifact under
/// a valid name. Because the name is the hash, identical bytes pushed under two versions share one file.
public struct ArtifactStore: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    public func path(for sha256: String) -> URL {
        root.appendingPathComponent("sha256")
            .appendingPathComponent(String(sha256.prefix(2)))
            .appendingPathComponent(sha256)
    }

    public func write(_ data: Data) throws -> (sha256: String, path: URL) {
        try write(data, sha256: sha256Hex(data))
    }

    /// The registry has already hashed the bytes to look the version up; hashing a large model twice
    /// would double the cost of every push.
    func write(_ data: Data, sha256 sha: String) throws -> (sha256: String, path: URL) {
        let target = path(for: sha)
        let fm = FileManager.default
        // An intact copy is left alone; a damaged one falls through and is replaced, so pushing the
        // same bytes again is how an operator repairs a corrupt artifact.
        if fm.fileExists(atPath: target.path), (try? read(sha256: sha)) != nil {
            return (sha, target)
        }
        let folder = target.deletingLastPathComponent()
        do {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw NightjarError.unavailable(
                "cannot create artifact folder \(folder.path): \(error.localizedDescription); check the disk and permissions of \(root.path)")
        }
        let temp = folder.appendingPathComponent(".tmp-\(UUID().uuidString)")
        guard fm.createFile(atPath: temp.path, contents: nil) else {
            throw NightjarError.unavailable("cannot create a temp file in \(folder.path); check the disk and permissions of \(root.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temp)
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            try? fm.removeItem(at: temp)
            throw NightjarError.unavailable("cannot write artifact \(sha) to \(temp.path): \(error.localizedDescription)")
        }
        guard rename(temp.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(at: temp)
            throw NightjarError.unavailable("cannot move artifact into place at \(target.path): \(reason)")
        }
        // Without this the rename itself may not survive a power cut, and the registry row written
        // next would point at a file that is not there after reboot.
        let fd = open(folder.path, O_RDONLY)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
        return (sha, target)
    }

    /// Reads an artifact and checks that its bytes still hash to its name.
    public func read(sha256: String) throws -> Data {
        // The name becomes a path, so anything but a digest is refused before it can reach the disk.
        guard sha256.utf8.count == 64, sha256.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw NightjarError.invalidArgument("'\(sha256)' is not a sha256 digest: expected 64 lower-case hex digits")
        }
        let file = path(for: sha256)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw NightjarError.corrupt(
                "artifact \(sha256) is missing: expected it at \(file.path); push the same bytes again to restore it")
        }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw NightjarError.corrupt("artifact \(sha256) at \(file.path) cannot be read: \(error.localizedDescription)")
        }
        let actual = sha256Hex(data)
        guard actual == sha256 else {
            throw NightjarError.corrupt(
                "artifact at \(file.path) is corrupt: expected sha256 \(sha256), found \(actual); push the same bytes again to restore it")
        }
        return data
    }
}

extension ArtifactStore {
    /// Every stored digest with its file's age; temp files of writes in progress are not listed.
    func storedDigests(now: Date = Date()) -> [(sha256: String, age: TimeInterval)] {
        let fm = FileManager.default
        let base = root.appendingPathComponent("sha256")
        let folders = (try? fm.contentsOfDirectory(atPath: base.path)) ?? []
        return folders.flatMap { folder -> [(sha256: String, age: TimeInterval)] in
            let dir = base.appendingPathComponent(folder)
            return ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).compactMap { name in
                guard name.count == 64, name.allSatisfy(\.isHexDigit) else { return nil }
                let modified = (try? fm.attributesOfItem(atPath: dir.appendingPathComponent(name).path)[.modificationDate]) as? Date
                return (name, now.timeIntervalSince(modified ?? now))
            }
        }
    }

    func remove(sha256: String) throws {
        do { try FileManager.default.removeItem(at: path(for: sha256)) } catch {
            throw NightjarError.unavailable("cannot remove artifact \(path(for: sha256).path): \(error.localizedDescription)")
        }
    }
}
