import Foundation
import NightjarCore
import Registry
import Testing

@Suite struct SQLiteRegistryTests {
    @Test func openingCreatesHomeDatabaseAndArtifactFolder() throws {
        let home = TempHome()
        defer { home.remove() }
        _ = try SQLiteRegistry(home: home.url)
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: home.url.appendingPathComponent("registry.sqlite").path))
        #expect(fm.fileExists(atPath: home.url.appendingPathComponent("artifacts").path))
    }

    @Test func aFileThatIsNotADatabaseIsNamedInTheError() throws {
        let home = TempHome()
        defer { home.remove() }
        try FileManager.default.createDirectory(at: home.url, withIntermediateDirectories: true)
        let file = home.url.appendingPathComponent("registry.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: file)
        #expect {
            _ = try SQLiteRegistry(home: home.url)
        } throws: { error in
            guard case NightjarError.corrupt(let message) = error else { return false }
            return message.contains(file.path)
        }
    }

    @Test func aHomeThatCannotBeCreatedIsNamedInTheError() throws {
        let home = TempHome()
        defer { home.remove() }
        // A regular file where the home's parent folder should be: no user, root included, can create it.
        try FileManager.default.createDirectory(at: home.url, withIntermediateDirectories: true)
        let blocker = home.url.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: blocker)
        let impossible = blocker.appendingPathComponent("nightjar")
        #expect {
            _ = try SQLiteRegistry(home: impossible)
        } throws: { error in
            guard case NightjarError.invalidArgument(let message) = error else { return false }
            return message.contains(impossible.path)
        }
    }
}

@Suite struct ArtifactStoreTests {
    @Test func writeIsContentAddressedIdempotentAndLeavesNoTempFiles() throws {
        let home = TempHome()
        defer { home.remove() }
        let store = ArtifactStore(root: home.url.appendingPathComponent("artifacts"))
        let bytes = Data("model".utf8)
        let first = try store.write(bytes)
        let second = try store.write(bytes)
        #expect(first.sha256 == sha256Hex(bytes) && first.path == second.path)
        #expect(first.path == store.path(for: first.sha256))
        #expect(first.path.path.hasSuffix("artifacts/sha256/\(first.sha256.prefix(2))/\(first.sha256)"))
        #expect(home.artifactFiles() == ["sha256/\(first.sha256.prefix(2))/\(first.sha256)"])
        #expect(try store.read(sha256: first.sha256) == bytes)
    }

    @Test func readRefusesNamesThatAreNotDigests() throws {
        let home = TempHome()
        defer { home.remove() }
        let store = ArtifactStore(root: home.url)
        for bad in ["../../etc/passwd", "", String(repeating: "A", count: 64), String(repeating: "a", count: 63)] {
            #expect(throws: NightjarError.self) { try store.read(sha256: bad) }
        }
    }

    @Test func sha256HexMatchesAKnownDigest() {
        #expect(sha256Hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha256Hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
