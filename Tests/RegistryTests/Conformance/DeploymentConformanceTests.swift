import Foundation
import NightjarCore
import Registry
import Testing

/// Endpoints, their splits, rollouts and the event timeline, the same on every store.
extension StoreConformance {
    @Suite struct Deployments {
        /// `fraud` 1.0.0 and 1.1.0, ready to serve.
        static func pushTwoVersions(_ registry: any RegistryStore) async throws {
            for v in ["1.0.0", "1.1.0"] {
                _ = try await registry.push(try ref("fraud@\(v)"), artifact: Data(v.utf8), schema: nil, actor: "ci")
            }
        }

        static func traffic(_ split: KeyValuePairs<String, Int>, endpoint: String = "fraud", model: String? = nil,
                            expectedRevision: Int? = nil, actor: String = "alice", reason: String? = "r",
                            rollout: EndpointChange.RolloutWrite = .unchanged) throws -> EndpointChange {
            EndpointChange(
                endpoint: endpoint, model: model,
                weights: try split.map { TrafficWeight(version: try SemVer(parsing: $0.key), weight: $0.value) },
                expectedRevision: expectedRevision, rollout: rollout, actor: actor, action: "traffic", reason: reason,
                eventKind: .trafficChanged)
        }

        /// Whole seconds, which survive every store's date precision and the rollout JSON intact.
        static func rollout(_ state: RolloutStatus.State, candidate: String = "1.1.0", step: Int = 0) throws -> RolloutStatus {
            let at = Date(timeIntervalSince1970: 1_790_000_000)
            return RolloutStatus(
                endpoint: "fraud", stable: SemVer(1, 0, 0), candidate: try SemVer(parsing: candidate),
                plan: RolloutPlan(strategy: .canary, steps: [10, 50, 100], intervalSeconds: 30), state: state, stepIndex: step,
                stepStartedAt: at, startedAt: at, updatedAt: at, startedBy: "alice")
        }

        @Test(arguments: StoreKind.allCases) func aSplitChangeIsStoredAuditedAndAnnounced(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
                try await Self.pushTwoVersions(registry)
                let created = try await registry.apply(try Self.traffic(["1.0.0": 100], reason: "first deploy"))
                #expect(created.deployment.revision == 1 && created.deployment.model == "fraud" && created.deployment.updatedBy == "alice")
                #expect(created.previousWeights.isEmpty)
                #expect(created.event.kind == .trafficChanged && created.event.endpoint == "fraud")
                #expect(created.event.message == "fraud: 1.0.0 0% → 100% — first deploy")

                let canary = try await registry.apply(try Self.traffic(["1.0.0": 80, "1.1.0": 20], expectedRevision: 1, actor: "bob", reason: "canary"))
                #expect(canary.deployment.revision == 2 && canary.deployment.updatedBy == "bob" && canary.deployment.reason == "canary")
                #expect(canary.previousWeights == created.deployment.weights)
                #expect(canary.event.message == "fraud: 1.0.0 100% → 80%, 1.1.0 0% → 20% — canary")
                // What apply answers is exactly what later reads answer, date included.
                #expect(try await registry.deployment("fraud") == canary.deployment)
                #expect(try await registry.deployments() == [canary.deployment])

                let audit = try await registry.auditLog(limit: 2)
                #expect(audit.map(\.action) == ["traffic", "traffic"] && audit.map(\.actor) == ["bob", "alice"])
                #expect(audit[0].subject == "fraud" && audit[0].from == "1.0.0 100%" && audit[0].to == "1.0.0 80% · 1.1.0 20%")
                #expect(audit[1].from == nil && audit[1].reason == "first deploy")
                let events = try await registry.events(after: 0, limit: 10)
                #expect(events.map(\.id) == [created.event.id, canary.event.id])
                #expect(events.map(\.message) == [created.event.message, canary.event.message])
                // The end of the log, oldest first; a count past its length is the whole log.
                #expect(try await registry.newestEvents(limit: 1).map(\.id) == [canary.event.id])
                #expect(try await registry.newestEvents(limit: 10).map(\.id) == [created.event.id, canary.event.id])
                await #expect(throws: NightjarError.self) { try await registry.newestEvents(limit: 0) }
            }
        }

        @Test(arguments: StoreKind.allCases) func badChangesAreRefusedAndLeaveNothingBehind(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
                try await Self.pushTwoVersions(registry)
                await #expect(throws: NightjarError.notFound("no endpoint named 'fraud'; none exists yet")) {
                    try await registry.deployment("fraud")
                }
                await #expect {
                    try await registry.apply(try Self.traffic(["1.0.0": 100], endpoint: "../fraud"))
                } throws: { error in
                    guard case NightjarError.invalidArgument(let message) = error else { return false }
                    return message.contains("endpoint name '../fraud' is invalid")
                }
                await #expect(throws: NightjarError.invalidArgument("weights: 1.0.0 60% · 1.1.0 30% add up to 90%, not 100%")) {
                    try await registry.apply(try Self.traffic(["1.0.0": 60, "1.1.0": 30]))
                }
                await #expect(throws: NightjarError.invalidArgument("a change to fraud names no actor: the audit log must say who made it")) {
                    try await registry.apply(try Self.traffic(["1.0.0": 100], actor: " "))
                }
                await #expect(throws: NightjarError.notFound("weights: fraud@9.9.9 does not exist; known versions: 1.0.0, 1.1.0")) {
                    try await registry.apply(try Self.traffic(["1.0.0": 50, "9.9.9": 50]))
                }
                await #expect(throws: NightjarError.notFound("weights: churn@1.0.0 does not exist; there is no model named 'churn'")) {
                    try await registry.apply(try Self.traffic(["1.0.0": 100], endpoint: "churn"))
                }
                var noSplit = try Self.traffic(["1.0.0": 100], endpoint: "ghost")
                noSplit.weights = nil
                await #expect(throws: NightjarError.notFound("no endpoint named 'ghost'; create it by setting its traffic first")) {
                    try await registry.apply(noSplit)
                }
                #expect(try await registry.deployments().isEmpty)
                #expect(try await registry.events(after: 0, limit: 10).isEmpty)
                #expect(try await registry.auditLog(limit: 10).map(\.action) == ["push", "push"])

                _ = try await registry.apply(try Self.traffic(["1.0.0": 100]))
                await #expect(throws: NightjarError.notFound("no endpoint named 'ghost'; endpoints: fraud")) {
                    try await registry.deployment("ghost")
                }
                // An endpoint may serve a model of another name.
                let scorer = try await registry.apply(try Self.traffic(["1.1.0": 100], endpoint: "scorer", model: "fraud"))
                #expect(scorer.deployment.model == "fraud")
                #expect(try await registry.deployments().map(\.endpoint) == ["fraud", "scorer"])
            }
        }

        static let watch = DeploymentRouting(
            shadow: .init(version: SemVer(1, 1, 0), mirrorPercent: 10),
            headerMatches: [.init(header: "x-tenant", value: "acme", version: SemVer(1, 1, 0))],
            sticky: .init(header: "x-user-id"))

        @Test(arguments: StoreKind.allCases) func routingSettingsAreStoredWithTheSplitAuditedAndKeptUntilReplaced(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
                try await Self.pushTwoVersions(registry)
                let created = try await registry.apply(try Self.traffic(["1.0.0": 100]))
                #expect(created.deployment.routing.isEmpty)

                var watching = try Self.traffic(["1.0.0": 100], expectedRevision: 1, actor: "bob", reason: "watch 1.1.0")
                watching.routing = Self.watch
                let watched = try await registry.apply(watching)
                #expect(watched.deployment.routing == Self.watch && watched.deployment.revision == 2)
                #expect(watched.event.kind == .trafficChanged)
                #expect(watched.event.message == "fraud: routing none → shadow 1.1.0 10% · sticky header:x-user-id · "
                    + "x-tenant=acme → 1.1.0 — watch 1.1.0")
                // Another replica (or process) reads the same settings back.
                let other = try await s.openAnother()
                #expect(try await other.deployment("fraud") == watched.deployment)
                let audit = try #require(try await registry.auditLog(limit: 1).first)
                #expect(audit.from == "1.0.0 100%")
                #expect(audit.to == "1.0.0 100% · shadow 1.1.0 10% · sticky header:x-user-id · x-tenant=acme → 1.1.0")

                // A change that leaves the settings out keeps them; one that sends empty settings clears them.
                let shifted = try await registry.apply(try Self.traffic(["1.0.0": 100], reason: "same split"))
                #expect(shifted.deployment.routing == Self.watch && shifted.deployment.revision == 3)
                var clearing = try Self.traffic(["1.0.0": 100], reason: "done")
                clearing.routing = DeploymentRouting()
                let cleared = try await registry.apply(clearing)
                #expect(cleared.deployment.routing.isEmpty)
                #expect(cleared.event.message == "fraud: routing shadow 1.1.0 10% · sticky header:x-user-id · "
                    + "x-tenant=acme → 1.1.0 → none — done")
                #expect(try await registry.deployments() == [cleared.deployment])

                // A split and settings in one change: one revision, one audit row, one event.
                var both = try Self.traffic(["1.0.0": 90, "1.1.0": 10], reason: "canary, sticky")
                both.routing = DeploymentRouting(sticky: .init(header: "x-session"))
                let together = try await registry.apply(both)
                #expect(together.deployment.revision == 5)
                #expect(together.event.message == "fraud: 1.0.0 100% → 90%, 1.1.0 0% → 10%; routing none → sticky header:x-session"
                    + " — canary, sticky")
            }
        }

        @Test(arguments: StoreKind.allCases) func badRoutingSettingsAreRefusedNamingTheFieldAndChangeNothing(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
                try await Self.pushTwoVersions(registry)
                _ = try await registry.apply(try Self.traffic(["1.0.0": 100]))
                func refusal(_ split: KeyValuePairs<String, Int>, _ routing: DeploymentRouting) async throws -> NightjarError? {
                    var change = try Self.traffic(split)
                    change.routing = routing
                    do { _ = try await registry.apply(change); return nil } catch let error as NightjarError { return error }
                }
                let v2 = SemVer(1, 1, 0)
                let noMirror = try await refusal(["1.0.0": 100], DeploymentRouting(shadow: .init(version: v2, mirrorPercent: 0)))
                #expect(noMirror?.field == "routing.shadow.mirrorPercent")
                let servingShadow = try await refusal(["1.0.0": 90, "1.1.0": 10], DeploymentRouting(shadow: .init(version: v2, mirrorPercent: 5)))
                #expect(servingShadow == .invalidArgument(
                    "routing.shadow.version: 1.1.0 already serves 10% of the traffic; a shadow only gets copies, so give it 0% or pick another version"))
                let ghost = try await refusal(["1.0.0": 100], DeploymentRouting(shadow: .init(version: SemVer(9, 9, 9), mirrorPercent: 5)))
                #expect(ghost == .notFound("routing.shadow.version: fraud@9.9.9 does not exist; known versions: 1.0.0, 1.1.0"))
                let ghostMatch = try await refusal(["1.0.0": 100], DeploymentRouting(headerMatches: [
                    .init(header: "x-tenant", value: "acme", version: v2), .init(header: "x-tenant", value: "beta", version: SemVer(9, 9, 9)),
                ]))
                #expect(ghostMatch?.field == "routing.headerMatches[1].version")
                let badHeader = try await refusal(["1.0.0": 100], DeploymentRouting(headerMatches: [.init(header: "x tenant", value: "a", version: v2)]))
                #expect(badHeader?.field == "routing.headerMatches[0].header")
                let twice = try await refusal(["1.0.0": 100], DeploymentRouting(headerMatches: [
                    .init(header: "x-tenant", value: "a", version: v2), .init(header: "X-Tenant", value: "a", version: SemVer(1, 0, 0)),
                ]))
                #expect(twice?.field == "routing.headerMatches[1]")
                let badSticky = try await refusal(["1.0.0": 100], DeploymentRouting(sticky: .init(header: "")))
                #expect(badSticky?.field == "routing.sticky.header")

                // Existing settings are checked against a new split too: the shadow cannot start serving silently.
                var watching = try Self.traffic(["1.0.0": 100])
                watching.routing = DeploymentRouting(shadow: .init(version: v2, mirrorPercent: 50))
                let watched = try await registry.apply(watching)
                await #expect(throws: NightjarError.self) {
                    try await registry.apply(try Self.traffic(["1.0.0": 50, "1.1.0": 50]))
                }
                #expect(try await registry.deployment("fraud") == watched.deployment)
                #expect(try await registry.events(after: 0, limit: 100).count == 2)
                #expect(try await registry.auditLog(limit: 100).filter { $0.action == "traffic" }.count == 2)
            }
        }

        @Test(arguments: StoreKind.allCases) func aStaleRevisionIsRefusedNamingWhoChangedIt(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
                try await Self.pushTwoVersions(registry)
                _ = try await registry.apply(try Self.traffic(["1.0.0": 100]))
                let bobs = try await registry.apply(try Self.traffic(["1.0.0": 50, "1.1.0": 50], expectedRevision: 1, actor: "bob"))
                await #expect(throws: NightjarError.conflict(
                    "fraud changed since you looked: you edited revision 1, it is now revision 2 (1.0.0 50% · 1.1.0 50%, by bob); "
                        + "reload and try again")) {
                    try await registry.apply(try Self.traffic(["1.1.0": 100], expectedRevision: 1, actor: "carol"))
                }
                #expect(try await registry.deployment("fraud") == bobs.deployment)
                #expect(try await registry.auditLog(limit: 10).filter { $0.action == "traffic" }.count == 2)
                // Without a revision the change applies over whatever is current.
                let forced = try await registry.apply(try Self.traffic(["1.1.0": 100], actor: "carol"))
                #expect(forced.deployment.revision == 3 && forced.previousWeights == bobs.deployment.weights)
            }
        }

        @Test(arguments: StoreKind.allCases) func rolloutsStartMoveOnAndCannotOverlap(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
                try await Self.pushTwoVersions(registry)
                _ = try await registry.apply(try Self.traffic(["1.0.0": 100]))
                #expect(try await registry.rollouts().isEmpty)

                let started = try Self.rollout(.progressing)
                _ = try await registry.apply(try Self.traffic(["1.0.0": 90, "1.1.0": 10], rollout: .start(started)))
                #expect(try await registry.rollouts() == [started])

                await #expect(throws: NightjarError.conflict(
                    "fraud already has a rollout to 1.1.0 (progressing); promote, abort or roll it back first")) {
                    try await registry.apply(try Self.traffic(["1.0.0": 100], rollout: .start(try Self.rollout(.progressing))))
                }
                // The refused start changed nothing: not the split, not the revision.
                #expect(try await registry.deployment("fraud").revision == 2)

                let stepped = try Self.rollout(.progressing, step: 1)
                _ = try await registry.apply(try Self.traffic(["1.0.0": 50, "1.1.0": 50], rollout: .update(stepped)))
                #expect(try await registry.rollouts() == [stepped])
                let promoted = try Self.rollout(.promoted, step: 2)
                _ = try await registry.apply(try Self.traffic(["1.1.0": 100], rollout: .update(promoted)))
                #expect(try await registry.rollouts() == [promoted])

                // A finished rollout makes room for the next; only the newest is listed.
                let next = try Self.rollout(.progressing, candidate: "1.0.0")
                _ = try await registry.apply(try Self.traffic(["1.0.0": 10, "1.1.0": 90], rollout: .start(next)))
                #expect(try await registry.rollouts() == [next])

                _ = try await registry.apply(try Self.traffic(["1.0.0": 100], endpoint: "other", model: "fraud"))
                await #expect(throws: NightjarError.notFound("other has no rollout")) {
                    try await registry.apply(try Self.traffic(["1.1.0": 100], endpoint: "other", rollout: .update(promoted)))
                }
                #expect(try await registry.deployment("other").revision == 1)
            }
        }

        @Test(arguments: StoreKind.allCases) func eventsComeOldestFirstAndResumeAfterAnId(kind: StoreKind) async throws {
            try await withStore(kind) { s in
                let registry = s.store
                try await Self.pushTwoVersions(registry)
                let joined = try await registry.recordEvent(kind: .workerJoined, endpoint: nil, actor: "w1", message: "worker w1 joined")
                let change = try await registry.apply(try Self.traffic(["1.0.0": 100]))
                let lost = try await registry.recordEvent(kind: .workerLost, endpoint: "fraud", actor: "w1", message: "worker w1 went quiet")
                _ = try await registry.setAlias(model: "fraud", alias: "shadow", to: SemVer(1, 1, 0), force: false, actor: "bob", reason: "watch")

                let all = try await registry.events(after: 0, limit: 100)
                #expect(all.map(\.kind) == [.workerJoined, .trafficChanged, .workerLost, .aliasMoved])
                #expect(all.map(\.id) == all.map(\.id).sorted() && Set(all.map(\.id)).count == 4)
                #expect(all.prefix(3).map(\.id) == [joined.id, change.event.id, lost.id])
                #expect(all[2].endpoint == "fraud" && all[2].actor == "w1" && all[2].message == "worker w1 went quiet")
                #expect(all[3].message == "fraud/shadow: none → 1.1.0 — watch")

                #expect(try await registry.events(after: joined.id, limit: 2).map(\.kind) == [.trafficChanged, .workerLost])
                #expect(try await registry.events(after: all[3].id, limit: 10).isEmpty)
                for limit in [0, 10_001] {
                    await #expect(throws: NightjarError.invalidArgument("limit must be between 1 and 10000, got \(limit)")) {
                        try await registry.events(after: 0, limit: limit)
                    }
                }
            }
        }
    }
}
