import Foundation
import NightjarCore
import Registry
import Testing

/// Metadata that defines a version, aliases with the staging-before-production rule and metric gates,
/// editable fields, and garbage collection that never removes a referenced artifact.
extension StoreConformance {
    @Suite struct AliasesAndMetadata {
        static let metadata = VersionMetadata(
            description: "fraud scorer", framework: "scikit-learn 1.9.1", converter: "skl2onnx 1.20.0", tags: ["team": "risk"],
            metrics: ["auc": 0.91], parent: ModelRef(name: "fraud", version: SemVer(0, 9, 0)), dataset: "s3://data/fraud-2026-10",
            gitCommit: "abc123", gates: [MetricGate(metric: "auc", comparison: .atLeast, value: 0.9)])

        @Test(arguments: StoreKind.allCases) func metadataIsStoredAndDefinesTheVersion(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
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
        }

        @Test(arguments: StoreKind.allCases) func productionOnlyThroughStagingAndGatesHold(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
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
        }

        @Test(arguments: StoreKind.allCases) func aliasesAreValidatedRemovedAndAudited(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
                _ = try await registry.push(try ref("fraud@1.0.0"), artifact: Data("a".utf8), schema: nil, actor: "ci")
                await #expect(throws: NightjarError.invalidArgument("alias '1.0.0' looks like a version; aliases are names such as production")) {
                    try await registry.setAlias(model: "fraud", alias: "1.0.0", to: SemVer(1, 0, 0), force: false, actor: "bob", reason: "r")
                }
                await #expect(throws: NightjarError.invalidArgument("alias 'a b' is invalid: use 1 to 128 letters, digits, '-', '_' or '.'")) {
                    try await registry.setAlias(model: "fraud", alias: "a b", to: SemVer(1, 0, 0), force: false, actor: "bob", reason: "r")
                }
                await #expect(throws: NightjarError.invalidArgument("reason: moving an alias needs a reason for the audit log")) {
                    try await registry.setAlias(model: "fraud", alias: "shadow", to: SemVer(1, 0, 0), force: false, actor: "bob", reason: " ")
                }
                await #expect(throws: NightjarError.notFound("model version fraud@9.9.9 does not exist")) {
                    try await registry.setAlias(model: "fraud", alias: "shadow", to: SemVer(9, 9, 9), force: false, actor: "bob", reason: "r")
                }
                await #expect(throws: NightjarError.notFound("model version fraud@9.9.9 does not exist")) {
                    try await registry.edit(try ref("fraud@9.9.9"), VersionEdit(description: "x"), actor: "bob")
                }

                let moved = try await registry.setAlias(model: "fraud", alias: "shadow", to: SemVer(1, 0, 0), force: false, actor: "bob", reason: "watch")
                #expect(moved.aliases == ["shadow"])
                #expect(try await registry.version(try ref("fraud@1.0.0")).aliases == ["shadow"])
                try await registry.removeAlias(model: "fraud", alias: "shadow", actor: "bob", reason: "done")
                #expect(try await registry.version(try ref("fraud@1.0.0")).aliases.isEmpty)
                await #expect(throws: NightjarError.notFound("fraud has no alias 'shadow'")) {
                    try await registry.removeAlias(model: "fraud", alias: "shadow", actor: "bob", reason: "again")
                }
                let audit = try await registry.auditLog(limit: 2)
                #expect(audit.map(\.action) == ["alias.remove", "alias"])
                #expect(audit[0].subject == "fraud/shadow" && audit[0].from == "1.0.0" && audit[0].to == nil && audit[0].reason == "done")
                #expect(audit[1].from == nil && audit[1].to == "1.0.0")
            }
        }

        @Test(arguments: StoreKind.allCases) func garbageCollectionRemovesOnlyUnreferencedArtifacts(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let (registry, home) = (s.store, s.home)
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
    }
}
