import Foundation
import NightjarCore
import Registry
import Testing

/// Each test gets its own real SQLite file in a fresh temp folder.
func freshHome() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-registry-\(UUID().uuidString)")
}

@Suite struct SQLiteRegistryTests {
    @Test func pushThenListAndRead() async throws {
        let home = freshHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let registry = try SQLiteRegistry(home: home)
        let ref = try ModelRef(parsing: "fraud@1.0.0")
        let bytes = Data("onnx bytes".utf8)
        let result = try await registry.push(ref, artifact: bytes, schema: nil, actor: "alice")
        #expect(result.created)
        #expect(result.version.sha256 == sha256Hex(bytes))
        #expect(try await registry.models().map(\.name) == ["fraud"])
        #expect(try await registry.artifact(ref) == bytes)
        // Stored content-addressed under sha256/ab/abcdef…
        let path = home.appendingPathComponent("artifacts/sha256/\(result.version.sha256.prefix(2))/\(result.version.sha256)")
        #expect(FileManager.default.fileExists(atPath: path.path))
    }

    @Test func sameBytesAgainIsNotAnErrorOtherBytesAreRefused() async throws {
        let home = freshHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let registry = try SQLiteRegistry(home: home)
        let ref = try ModelRef(parsing: "fraud@1.0.0")
        let first = try await registry.push(ref, artifact: Data("a".utf8), schema: nil, actor: "alice")
        #expect(try await registry.push(ref, artifact: Data("a".utf8), schema: nil, actor: "alice").created == false)
        await #expect {
            try await registry.push(ref, artifact: Data("b".utf8), schema: nil, actor: "bob")
        } throws: { error in
            guard case NightjarError.conflict(let message) = error else { return false }
            return message.contains(first.version.sha256) && message.contains("fraud@1.0.0")
        }
        #expect(try await registry.artifact(ref) == Data("a".utf8))
    }

    @Test func versionsSortBySemverNotText() async throws {
        let home = freshHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let registry = try SQLiteRegistry(home: home)
        for v in ["1.10.0", "1.9.0", "2.0.0", "2.0.0-rc.1"] {
            _ = try await registry.push(try ModelRef(parsing: "m@\(v)"), artifact: Data(v.utf8), schema: nil, actor: "t")
        }
        let versions = try await registry.models().first?.versions.map(\.version.description)
        #expect(versions == ["1.9.0", "1.10.0", "2.0.0-rc.1", "2.0.0"])
    }

    @Test func corruptArtifactIsDetectedOnRead() async throws {
        let home = freshHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let registry = try SQLiteRegistry(home: home)
        let ref = try ModelRef(parsing: "fraud@1.0.0")
        let result = try await registry.push(ref, artifact: Data("good".utf8), schema: nil, actor: "t")
        let sha = result.version.sha256
        let file = home.appendingPathComponent("artifacts/sha256/\(sha.prefix(2))/\(sha)")
        try Data("evil".utf8).write(to: file)
        await #expect {
            try await registry.artifact(ref)
        } throws: { error in
            guard case NightjarError.corrupt(let message) = error else { return false }
            return message.contains(sha) && message.contains(file.path)
        }
    }

    @Test func unknownModelAndVersionSayWhatExists() async throws {
        let home = freshHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let registry = try SQLiteRegistry(home: home)
        _ = try await registry.push(try ModelRef(parsing: "fraud@1.0.0"), artifact: Data("x".utf8), schema: nil, actor: "t")
        await #expect(throws: NightjarError.notFound("no model named 'churn' in the registry")) {
            try await registry.version(try ModelRef(parsing: "churn@1.0.0"))
        }
        await #expect(throws: NightjarError.notFound("model version fraud@9.9.9 does not exist; known versions of fraud: 1.0.0")) {
            try await registry.version(try ModelRef(parsing: "fraud@9.9.9"))
        }
    }

    @Test func dataPersistsAcrossReopenAndPushesAreAudited() async throws {
        let home = freshHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let ref = try ModelRef(parsing: "fraud@1.0.0")
        let schema = FeatureSchema(inputs: [TensorSpec(name: "features", datatype: .fp32, shape: [-1, 6])], outputs: [])
        do {
            let registry = try SQLiteRegistry(home: home)
            _ = try await registry.push(ref, artifact: Data("x".utf8), schema: schema, actor: "alice")
        }
        let reopened = try SQLiteRegistry(home: home)
        #expect(try await reopened.version(ref).schema == schema)
        let audit = try await reopened.auditLog(limit: 10)
        #expect(audit.count == 1)
        #expect(audit.first?.actor == "alice" && audit.first?.action == "push" && audit.first?.subject == "fraud@1.0.0")
    }

    @Test func concurrentConflictingPushesLetExactlyOneWin() async throws {
        let home = freshHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let registry = try SQLiteRegistry(home: home)
        let ref = try ModelRef(parsing: "fraud@1.0.0")
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<8 {
                group.addTask { (try? await registry.push(ref, artifact: Data("bytes-\(i)".utf8), schema: nil, actor: "t")) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try await registry.models().first?.versions.count == 1)
    }

    @Test func aFileThatIsNotADatabaseIsNamedInTheError() throws {
        let home = freshHome()
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try Data(repeating: 0x41, count: 4096).write(to: home.appendingPathComponent("registry.sqlite"))
        #expect {
            _ = try SQLiteRegistry(home: home)
        } throws: { error in
            String(describing: error).contains("registry.sqlite")
        }
    }
}
