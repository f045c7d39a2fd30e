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

@Suite struct SQLiteRegistryTests {
    @Test func openingCreatesHomeDatabaseAndArtifactFolder() throws {
        let home = TempHome()
        defer { home.remove() }
        _ = try SQLiteRegistry(home: home.url)
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: home.url.appendingPathComponent("registry.sqlite").path))
        #expect(fm.fileExists(atPath: home.url.appendingPathComponent("artifacts").path))
    }

    @Test func pushThenListAndRead() async throws {
        let home = TempHome()
        defer { home.remove() }
        let registry = try SQLiteRegistry(home: home.url)
        let bytes = Data("onnx bytes".utf8)
        let result = try await registry.push(try ref("fraud@1.0.0"), artifact: bytes, schema: nil, actor: "alice")
        #expect(result.created)
        #expect(result.version.sha256 == sha256Hex(bytes))
        #expect(result.version.sizeBytes == bytes.count)
        let models = try await registry.models()
        #expect(models.map(\.name) == ["fraud"])
        #expect(models.first?.versions == [result.version])
        // What push answers is exactly what a later read answers, date included.
        #expect(try await registry.version(try ref("fraud@1.0.0")) == result.version)
        #expect(try await registry.artifact(try ref("fraud@1.0.0")) == bytes)
        #expect(home.artifactFiles() == ["sha256/\(result.version.sha256.prefix(2))/\(result.version.sha256)"])
    }

    @Test func sameBytesAgainIsNotAnErrorOtherBytesAreRefused() async throws {
        let home = TempHome()
        defer { home.remove() }
        let registry = try SQLiteRegistry(home: home.url)
        let r = try ref("fraud@1.0.0")
        let first = try await registry.push(r, artifact: Data("a".utf8), schema: nil, actor: "alice")
        let again = try await registry.push(r, artifact: Data("a".utf8), schema: nil, actor: "alice")
        #expect(again == PushResult(version: first.version, created: false))
        await #expect {
            try await registry.push(r, artifact: Data("b".utf8), schema: nil, actor: "bob")
        } throws: { error in
            isConflict(error, containing: ["fraud@1.0.0", "already exists with sha256 \(first.version.sha256)", "push a new version"])
        }
        #expect(try await registry.artifact(r) == Data("a".utf8))
        // A refused push leaves neither a file nor an audit row behind.
        #expect(home.artifactFiles().count == 1)
        #expect(try await registry.auditLog(limit: 10).count == 1)
    }

    @Test func identicalBytesUnderTwoVersionsAreStoredOnce() async throws {
        let home = TempHome()
        defer { home.remove() }
        let registry = try SQLiteRegistry(home: home.url)
        let a = try await registry.push(try ref("fraud@1.0.0"), artifact: Data("same".utf8), schema: nil, actor: "t")
        let b = try await registry.push(try ref("fraud@1.0.1"), artifact: Data("same".utf8), schema: nil, actor: "t")
        #expect(a.created && b.created && a.version.sha256 == b.version.sha256)
        #expect(home.artifactFiles().count == 1)
    }

    @Test func versionsSortBySemverNotText() async throws {
        let home = TempHome()
        defer { home.remove() }
        let registry = try SQLiteRegistry(home: home.url)
        for v in ["1.10.0", "2.0.0", "1.9.0", "2.0.0-rc.10", "2.0.0-rc.2", "0.1.0", "2.0.0-beta"] {
            _ = try await registry.push(try ref("m@\(v)"), artifact: Data(v.utf8), schema: nil, actor: "t")
        }
        _ = try await registry.push(try ref("a-model@1.0.0"), artifact: Data("x".utf8), schema: nil, actor: "t")
        let models = try await registry.models()
        #expect(models.map(\.name) == ["a-model", "m"])
        #expect(models.last?.versions.map(\.version.description)
            == ["0.1.0", "1.9.0", "1.10.0", "2.0.0-beta", "2.0.0-rc.2", "2.0.0-rc.10", "2.0.0"])
    }

    @Test func corruptArtifactIsDetectedOnReadAndRepairedByPushingTheSameBytes() async throws {
        let home = TempHome()
        defer { home.remove() }
        let registry = try SQLiteRegistry(home: home.url)
        let r = try ref("fraud@1.0.0")
        let sha = try await registry.push(r, artifact: Data("good".utf8), schema: nil, actor: "t").version.sha256
        let file = home.artifactFile(sha)
        try Data("evil".utf8).write(to: file)
        await #expect {
            try await registry.artifact(r)
        } throws: { error in
            guard case NightjarError.corrupt(let message) = error else { return false }
            return message.contains(file.path) && message.contains("expected sha256 \(sha)")
                && message.contains("found \(sha256Hex(Data("evil".utf8)))")
        }
        #expect(try await registry.push(r, artifact: Data("good".utf8), schema: nil, actor: "t").created == false)
        #expect(try await registry.artifact(r) == Data("good".utf8))
    }

    @Test func missingArtifactIsReportedWithItsPath() async throws {
        let home = TempHome()
        defer { home.remove() }
        let registry = try SQLiteRegistry(home: home.url)
        let r = try ref("fraud@1.0.0")
        let sha = try await registry.push(r, artifact: Data("good".utf8), schema: nil, actor: "t").version.sha256
        try FileManager.default.removeItem(at: home.artifactFile(sha))
        await #expect {
            try await registry.artifact(r)
        } throws: { error in
            guard case NightjarError.corrupt(let message) = error else { return false }
            return message.contains("missing") && message.contains(home.artifactFile(sha).path)
        }
    }

    @Test func unknownModelAndVersionSayWhatExists() async throws {
        let home = TempHome()
        defer { home.remove() }
        let registry = try SQLiteRegistry(home: home.url)
        for v in ["1.10.0", "1.0.0"] {
            _ = try await registry.push(try ref("fraud@\(v)"), artifact: Data(v.utf8), schema: nil, actor: "t")
        }
        await #expect(throws: NightjarError.notFound("no model named 'churn' in the registry")) {
            try await registry.version(try ref("churn@1.0.0"))
        }
        await #expect(throws: NightjarError.notFound("model version fraud@9.9.9 does not exist; known versions of fraud: 1.0.0, 1.10.0")) {
            try await registry.version(try ref("fraud@9.9.9"))
        }
        await #expect(throws: NightjarError.self) { try await registry.artifact(try ref("fraud@9.9.9")) }
    }

    @Test func badNamesAndMissingActorsAreRefusedBeforeAnythingIsStored() async throws {
        let home = TempHome()
        defer { home.remove() }
        let registry = try SQLiteRegistry(home: home.url)
        let badName = ModelRef(name: "../etc", version: SemVer(1, 0, 0))
        await #expect {
            try await registry.push(badName, artifact: Data("x".utf8), schema: nil, actor: "t")
        } throws: { error in
            guard case NightjarError.invalidArgument(let message) = error else { return false }
            return message.contains("../etc")
        }
        await #expect {
            try await registry.push(try ref("fraud@1.0.0"), artifact: Data("x".utf8), schema: nil, actor: "  ")
        } throws: { error in
            guard case NightjarError.invalidArgument(let message) = error else { return false }
            return message.contains("actor")
        }
        #expect(try await registry.models().isEmpty)
        #expect(home.artifactFiles().isEmpty)
    }

    @Test func dataPersistsAcrossReopen() async throws {
        let home = TempHome()
        defer { home.remove() }
        let r = try ref("fraud@1.0.0")
        let schema = FeatureSchema(inputs: [TensorSpec(name: "features", datatype: .fp32, shape: [-1, 6])],
                                   outputs: [TensorSpec(name: "label", datatype: .int64, shape: [-1])])
        let pushed: PushResult
        do {
            let registry = try SQLiteRegistry(home: home.url)
            pushed = try await registry.push(r, artifact: Data("x".utf8), schema: schema, actor: "alice")
        }
        let reopened = try SQLiteRegistry(home: home.url)
        #expect(try await reopened.version(r) == pushed.version)
        #expect(try await reopened.version(r).schema == schema)
        #expect(try await reopened.artifact(r) == Data("x".utf8))
        #expect(try await reopened.auditLog(limit: 10).count == 1)
    }

    @Test func everyCreatingPushIsAuditedNewestFirst() async throws {
        let home = TempHome()
        defer { home.remove() }
        let registry = try SQLiteRegistry(home: home.url)
        let one = try await registry.push(try ref("fraud@1.0.0"), artifact: Data("1".utf8), schema: nil, actor: "alice")
        let two = try await registry.push(try ref("fraud@1.1.0"), artifact: Data("2".utf8), schema: nil, actor: "bob")
        _ = try await registry.push(try ref("fraud@1.1.0"), artifact: Data("2".utf8), schema: nil, actor: "bob")
        let audit = try await registry.auditLog(limit: 10)
        #expect(audit.map(\.actor) == ["bob", "alice"])
        #expect(audit.map(\.action) == ["push", "push"])
        #expect(audit.map(\.subject) == ["fraud@1.1.0", "fraud@1.0.0"])
        #expect(audit.map(\.to) == [two.version.sha256, one.version.sha256])
        #expect(audit.allSatisfy { $0.from == nil && $0.reason == nil })
        #expect(audit[0].id > audit[1].id)
        #expect(try await registry.auditLog(limit: 1).map(\.subject) == ["fraud@1.1.0"])
        #expect(try await registry.auditLog(limit: 0).isEmpty)
        await #expect(throws: NightjarError.self) { try await registry.auditLog(limit: -1) }
    }

    @Test func concurrentConflictingPushesLetExactlyOneWin() async throws {
        let home = TempHome()
        defer { home.remove() }
        let registry = try SQLiteRegistry(home: home.url)
        let r = try ref("fraud@1.0.0")
        let outcomes = await withTaskGroup(of: Result<PushResult, any Error>.self) { group in
            for i in 0..<8 {
                group.addTask {
                    do { return .success(try await registry.push(r, artifact: Data("bytes-\(i)".utf8), schema: nil, actor: "t\(i)")) }
                    catch { return .failure(error) }
                }
            }
            return await group.reduce(into: [Result<PushResult, any Error>]()) { $0.append($1) }
        }
        let winners = outcomes.compactMap { try? $0.get() }
        #expect(winners.count == 1)
        #expect(winners.first?.created == true)
        let losers = outcomes.compactMap { if case .failure(let e) = $0 { e } else { nil } }
        #expect(losers.count == 7)
        #expect(losers.allSatisfy { isConflict($0, containing: [winners.first?.version.sha256 ?? "no winner"]) })
        #expect(sha256Hex(try await registry.artifact(r)) == winners.first?.version.sha256)
        #expect(try await registry.version(r) == winners.first?.version)
        #expect(try await registry.auditLog(limit: 100).count == 1)
    }

    /// Two stores on one home stand in for two processes (a server and a CLI) sharing the file.
    @Test func concurrentConflictingPushesThroughTwoStoresLetExactlyOneWin() async throws {
        let home = TempHome()
        defer { home.remove() }
        let stores = [try SQLiteRegistry(home: home.url), try SQLiteRegistry(home: home.url)]
        let r = try ref("fraud@1.0.0")
        let outcomes = await withTaskGroup(of: Result<PushResult, any Error>.self) { group in
            for i in 0..<8 {
                let store = stores[i % 2]
                group.addTask {
                    do { return .success(try await store.push(r, artifact: Data("bytes-\(i)".utf8), schema: nil, actor: "t\(i)")) }
                    catch { return .failure(error) }
                }
            }
            return await group.reduce(into: [Result<PushResult, any Error>]()) { $0.append($1) }
        }
        let winners = outcomes.compactMap { try? $0.get() }
        #expect(winners.count == 1)
        let losers = outcomes.compactMap { if case .failure(let e) = $0 { e } else { nil } }
        #expect(losers.count == 7 && losers.allSatisfy { isConflict($0) })
        for store in stores {
            #expect(try await store.version(r) == winners.first?.version)
            #expect(try await store.auditLog(limit: 100).count == 1)
        }
    }

    @Test func concurrentIdenticalPushesCreateOnce() async throws {
        let home = TempHome()
        defer { home.remove() }
        let registry = try SQLiteRegistry(home: home.url)
        let r = try ref("fraud@1.0.0")
        let created = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask { try await registry.push(r, artifact: Data("same".utf8), schema: nil, actor: "t").created }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(created.filter { $0 }.count == 1)
        #expect(created.count == 8)
        #expect(try await registry.auditLog(limit: 100).count == 1)
        #expect(home.artifactFiles().count == 1)
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
