import Foundation
import NightjarCore
import Registry
import Testing

/// Metadata that defines a version, aliases with the staging-before-production rule and metric gates,
/// editable fields, and garbage collection that never removes a referenced artifact.
@Suite struct AliasAndMetadataTests {
    static let metadata = VersionMetadata(
        description: "fraud scorer", framework: "scikit-learn 1.9.1", converter: "skl2onnx 1.20.0", tags: ["team": "risk"],
        metrics: ["auc": 0.91], parent: ModelRef(name: "fraud", version: SemVer(0, 9, 0)), dataset: "s3://data/fraud-2026-10",
        gitCommit: "abc123", gates: [MetricGate(metric: "auc", comparison: .atLeast, value: 0.9)])

    @Test func metadataIsStoredAndDefinesTheVersion() async throws {
        let home = TempHome()
        defer { home.remove() }
        let registry = try SQLiteRegistry(home: home.url)
        let pushed = try await registry.push(try ref("fraud@1.0.0"), artifact: Data("m".utf8), schema: nil, metadata: Self.metadata, actor: "ci")
        #expect(pushed.version.metadata == Self.metadata)
        #expect(pushed.version.createdBy == "ci")
        #expect(try await registry.version(try ref("fraud@1.0.0")).metadata == Self.metadata)

        // Same bytes, other metrics: refused, because metrics define what was validated.
        var other = Self.metadata
        other.metrics["auc"] = 0.99
        await #expect(throws: NightjarError.self) {
            _ = try await registry.push(try ref("fraud@1.0.0"), artifact: Data("m".utf8), schema: nil, metadata: other, actor: "ci")
        }
        // Same bytes, another description: a harmless repeat.
        var described = Self.metadata
        described.description = "another text"
        #expect(try await registry.push(try ref("fraud@1.0.0"), artifact: Data("m".utf8), schema: nil, metadata: described, actor: "ci").created == false)

        // Description and tags are editable, and the edit is audited.
        let edited = try await registry.edit(try ref("fraud@1.0.0"), VersionEdit(description: "v1 scorer", tags: ["team": "fraud"]), actor: "bob")
        #expect(edited.metadata.description == "v1 scorer" && edited.metadata.tags == ["team": "fraud"])
        #expect(edited.metadata.metrics == Self.metadata.metrics)
        #expect(try await registry.auditLog(limit: 1).first?.action == "version.edit")
    }

    @Test func productionOnlyThroughStagingAndGatesHold() async throws {
        let home = TempHome()
        defer { home.remove() }
        let registry = try SQLiteRegistry(home: home.url)
        _ = try await registry.push(try ref("fraud@1.0.0"), artifact: Data("a".utf8), schema: nil, metadata: Self.metadata, actor: "ci")
        var weak = Self.metadata
        weak.metrics["auc"] = 0.85
        _ = try await registry.push(try ref("fraud@1.1.0"), artifact: Data("b".utf8), schema: nil, metadata: weak, actor: "ci")

        do {
            _ = try await registry.setAlias(model: "fraud", alias: "production", to: SemVer(1, 0, 0), force: false, actor: "bob", reason: "r")
            Issue.record("production without staging was allowed")
        } catch {
            #expect(isConflict(error, containing: ["not at staging"]))
        }
        _ = try await registry.setAlias(model: "fraud", alias: "staging", to: SemVer(1, 0, 0), force: false, actor: "bob", reason: "tests pass")
        let prod = try await registry.setAlias(model: "fraud", alias: "production", to: SemVer(1, 0, 0), force: false, actor: "bob", reason: "go")
        #expect(prod.aliases == ["production", "staging"])

        do {
            _ = try await registry.setAlias(model: "fraud", alias: "staging", to: SemVer(1, 1, 0), force: false, actor: "bob", reason: "r")
            Issue.record("a version failing its gate reached staging")
        } catch {
            #expect(isConflict(error, containing: ["auc 0.85 does not satisfy auc>=0.9"]))
        }
        // Any other alias has no rule; an admin's force skips them, and the audit says so.
        _ = try await registry.setAlias(model: "fraud", alias: "shadow", to: SemVer(1, 1, 0), force: false, actor: "bob", reason: "watch")
        _ = try await registry.setAlias(model: "fraud", alias: "production", to: SemVer(1, 1, 0), force: true, actor: "admin", reason: "hotfix")
        let audit = try #require(try await registry.auditLog(limit: 1).first)
        #expect(audit.action == "alias.force" && audit.from == "1.0.0" && audit.to == "1.1.0" && audit.reason == "hotfix")
        let models = try await registry.models()
        #expect(models.first?.versions.map(\.aliases) == [["staging"], ["production", "shadow"]])
        #expect(try await registry.events(after: 0, limit: 10).last?.message == "fraud/production: 1.0.0 → 1.1.0 (forced) — hotfix")
    }

    @Test func garbageCollectionRemovesOnlyUnreferencedArtifacts() async throws {
        let home = TempHome()
        defer { home.remove() }
        let registry = try SQLiteRegistry(home: home.url)
        let kept = try await registry.push(try ref("fraud@1.0.0"), artifact: Data("kept".utf8), schema: nil, actor: "ci")
        // An orphan, as a push that lost a race or a crash between file and row would leave.
        let orphan = try ArtifactStore(root: home.url.appendingPathComponent("artifacts")).write(Data("orphan".utf8))
        #expect(try await registry.collectGarbage(minimumAge: 3600).isEmpty, "a fresh file may belong to a push in flight")
        #expect(try await registry.collectGarbage(minimumAge: 0) == [orphan.sha256])
        #expect(home.artifactFiles().count == 1)
        #expect(try await registry.artifact(try ref("fraud@1.0.0")) == Data("kept".utf8))
        #expect(kept.version.sha256 != orphan.sha256)
    }
}
