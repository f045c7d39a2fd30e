import Foundation
import NightjarCore
import Registry
import Testing

/// Versions, artifacts and the audit log, the same on every store.
extension StoreConformance {
    @Suite struct Versions {
        @Test(arguments: StoreKind.allCases) func pushThenListAndRead(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let (registry, home) = (s.store, s.home)
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
        }

        @Test(arguments: StoreKind.allCases) func sameBytesAgainIsNotAnErrorOtherBytesAreRefused(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let (registry, home) = (s.store, s.home)
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
        }

        @Test(arguments: StoreKind.allCases) func identicalBytesUnderTwoVersionsAreStoredOnce(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let (registry, home) = (s.store, s.home)
                let a = try await registry.push(try ref("fraud@1.0.0"), artifact: Data("same".utf8), schema: nil, actor: "t")
                let b = try await registry.push(try ref("fraud@1.0.1"), artifact: Data("same".utf8), schema: nil, actor: "t")
                #expect(a.created && b.created && a.version.sha256 == b.version.sha256)
                #expect(home.artifactFiles().count == 1)
            }
        }

        @Test(arguments: StoreKind.allCases) func versionsSortBySemverNotText(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
                for v in ["1.10.0", "2.0.0", "1.9.0", "2.0.0-rc.10", "2.0.0-rc.2", "0.1.0", "2.0.0-beta"] {
                    _ = try await registry.push(try ref("m@\(v)"), artifact: Data(v.utf8), schema: nil, actor: "t")
                }
                _ = try await registry.push(try ref("a-model@1.0.0"), artifact: Data("x".utf8), schema: nil, actor: "t")
                let models = try await registry.models()
                #expect(models.map(\.name) == ["a-model", "m"])
                #expect(models.last?.versions.map(\.version.description)
                    == ["0.1.0", "1.9.0", "1.10.0", "2.0.0-beta", "2.0.0-rc.2", "2.0.0-rc.10", "2.0.0"])
            }
        }

        @Test(arguments: StoreKind.allCases) func corruptArtifactIsDetectedOnReadAndRepairedByPushingTheSameBytes(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let (registry, home) = (s.store, s.home)
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
        }

        @Test(arguments: StoreKind.allCases) func missingArtifactIsReportedWithItsPath(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let (registry, home) = (s.store, s.home)
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
        }

        @Test(arguments: StoreKind.allCases) func unknownModelAndVersionSayWhatExists(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
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
        }

        @Test(arguments: StoreKind.allCases) func badNamesAndMissingActorsAreRefusedBeforeAnythingIsStored(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let (registry, home) = (s.store, s.home)
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
                let models = try await registry.models()
                #expect(models.isEmpty)
                #expect(home.artifactFiles().isEmpty)
            }
        }

        @Test(arguments: StoreKind.allCases) func dataPersistsAcrossReopen(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let r = try ref("fraud@1.0.0")
                let schema = FeatureSchema(inputs: [TensorSpec(name: "features", datatype: .fp32, shape: [-1, 6])],
                                           outputs: [TensorSpec(name: "label", datatype: .int64, shape: [-1])])
                let pushed = try await s.store.push(r, artifact: Data("x".utf8), schema: schema, actor: "alice")
                let reopened = try await s.openAnother()
                #expect(try await reopened.version(r) == pushed.version)
                #expect(try await reopened.version(r).schema == schema)
                #expect(try await reopened.artifact(r) == Data("x".utf8))
                #expect(try await reopened.auditLog(limit: 10).count == 1)
            }
        }

        @Test(arguments: StoreKind.allCases) func everyCreatingPushIsAuditedNewestFirst(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
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
        }

        @Test(arguments: StoreKind.allCases) func concurrentConflictingPushesLetExactlyOneWin(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
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
        }

        /// Two stores on one home (one database) stand in for two processes (a server and a CLI, or two
        /// server replicas) sharing it.
        @Test(arguments: StoreKind.allCases) func concurrentConflictingPushesThroughTwoStoresLetExactlyOneWin(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let stores = [s.store, try await s.openAnother()]
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
        }

        @Test(arguments: StoreKind.allCases) func concurrentIdenticalPushesCreateOnce(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let (registry, home) = (s.store, s.home)
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
        }
    }
}
