import AsyncHTTPClient
import Client
import Foundation
import NightjarCore
import Server
import Testing

/// Endpoints, traffic shifts, rollbacks and rollouts through the real HTTP API and a real SQLite file.
@Suite struct TrafficTests {
    static let v1 = SemVer(1, 0, 0)
    static let v2 = SemVer(1, 1, 0)

    /// Pushes fraud 1.0.0 and 1.1.0 and announces a worker for each. The workers announce once; a
    /// long heartbeat interval keeps them ready through a slow test, unless a test asks otherwise.
    static func seeded(controlInterval: Duration = .milliseconds(50), heartbeatInterval: TimeInterval = 120) async throws -> RunningControlPlane {
        let cp = try await RunningControlPlane.start(controlInterval: controlInterval, heartbeatInterval: heartbeatInterval)
        for (i, version) in [v1, v2].enumerated() {
            let ref = ModelRef(name: "fraud", version: version)
            _ = try await cp.client.push(ref, artifact: Data("model \(version)".utf8), schema: nil)
            try await cp.client.announce(WorkerAnnouncement(id: "w\(i)", model: ref, address: "http://127.0.0.1:900\(i)", pid: 1))
        }
        return cp
    }

    static func split(_ pairs: (SemVer, Int)...) -> [TrafficWeight] {
        pairs.map { TrafficWeight(version: $0.0, weight: $0.1) }
    }

    static func stats(_ version: SemVer, rps: Double, errorRate: Double) -> StatsSnapshot {
        StatsSnapshot(model: ModelRef(name: "fraud", version: version), requestsTotal: 0, errorsTotal: 0, windowSeconds: 10,
                      requestsPerSecond: rps, errorRate: errorRate,
                      latencyMs: LatencySummary(p50: 1, p90: 2, p95: 2, p99: 3, max: 4), uptimeSeconds: 60)
    }

    /// Polls until `condition` holds, for at most `seconds`: the control loop acts on its own clock.
    static func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test func creatingAnEndpointHandsItsRoutesToTheDataPlane() async throws {
        let cp = try await Self.seeded()
        let alice = try await cp.client(named: "alice", role: .operator)
        let deployment = try await alice.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 80), (Self.v2, 20)), reason: "launch"))
        #expect(deployment.revision == 1)
        #expect(deployment.updatedBy == "alice")
        let route = try #require(cp.dataPlane.routes.first)
        // Dates cross the wire at whole seconds, so compare what the split is, not when it was made.
        #expect(route.deployment.weights == deployment.weights && route.deployment.revision == deployment.revision)
        #expect(route.workers[Self.v1] == ["http://127.0.0.1:9000"])
        #expect(route.workers[Self.v2] == ["http://127.0.0.1:9001"])

        let status = try await cp.client.endpoint("fraud")
        #expect(status.versions.map(\.weight) == [80, 20])
        #expect(status.versions.map(\.readyWorkers) == [1, 1])
        await cp.stop()
    }

    @Test func badSplitsAreRefusedWithTheReason() async throws {
        let cp = try await Self.seeded()
        func refusal(_ change: TrafficChange) async -> NightjarError? {
            do { _ = try await cp.client.setTraffic("fraud", change); return nil } catch { return error }
        }
        let short = await refusal(TrafficChange(weights: Self.split((Self.v1, 70), (Self.v2, 20)), reason: "r"))
        #expect(short == .invalidArgument("weights: 1.0.0 70% · 1.1.0 20% add up to 90%, not 100%"))
        let unknown = await refusal(TrafficChange(weights: Self.split((SemVer(9, 9, 9), 100)), reason: "r"))
        #expect(unknown?.description == "weights: model version fraud@9.9.9 does not exist; known versions of fraud: 1.0.0, 1.1.0")
        let noReason = await refusal(TrafficChange(weights: Self.split((Self.v1, 100)), reason: "  "))
        #expect(noReason?.description.contains("reason") == true)

        // A version without a ready worker gets no traffic unless the operator says so.
        _ = try await cp.client.push(ModelRef(name: "fraud", version: SemVer(2, 0, 0)), artifact: Data("v3".utf8), schema: nil)
        let cold = await refusal(TrafficChange(weights: Self.split((SemVer(2, 0, 0), 100)), reason: "r"))
        #expect(cold?.description.contains("fraud@2.0.0 would get 100% but has no ready worker") == true)
        #expect(cold?.description.contains("or allow a cold version explicitly (--allow-cold; allowCold in the API)") == true)
        let allowed = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((SemVer(2, 0, 0), 100)), reason: "r", allowCold: true))
        #expect(allowed.revision == 1)

        // A rollout to a version never pushed is refused as unknown, not as one missing its worker.
        do {
            _ = try await cp.client.startRollout("fraud", RolloutStart(candidate: SemVer(9, 9, 9), plan: RolloutPlan(strategy: .canary, steps: [10, 100], intervalSeconds: 60), reason: "typo"))
            Issue.record("a rollout to a version that does not exist started")
        } catch {
            #expect(error.description == "candidate: model version fraud@9.9.9 does not exist; known versions of fraud: 1.0.0, 1.1.0, 2.0.0")
        }
        await cp.stop()
    }

    @Test func aShadowWhoseWorkerLeftDoesNotBlockAShiftButCannotBeSetAgain() async throws {
        let cp = try await Self.seeded()
        let watching = DeploymentRouting(shadow: .init(version: Self.v2, mirrorPercent: 10))
        _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 100)), reason: "watch", routing: watching))
        try await cp.client.withdraw(workerID: "w1")
        // The incident shift leaves the settings alone, so it is not held up by them.
        let shifted = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 100)), reason: "page"))
        #expect(shifted.routing == watching)
        do {
            _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 100)), reason: "r", routing: watching))
            Issue.record("a shadow with no ready worker was set")
        } catch {
            #expect(error.httpStatus == 409 && error.field == "routing.shadow.version")
        }
        await cp.stop()
    }

    @Test func aStaleChangeIsRefusedNotLost() async throws {
        let cp = try await Self.seeded()
        let first = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 100)), reason: "r"))
        // Bob shifts meanwhile.
        let bob = try await cp.client(named: "bob", role: .operator)
        _ = try await bob.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 50), (Self.v2, 50)), reason: "bob", revision: first.revision))
        do {
            _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 90), (Self.v2, 10)), reason: "alice", revision: first.revision))
            Issue.record("a stale change was applied")
        } catch let error {
            guard case .conflict(let message) = error else { Issue.record("expected 409, got \(error)"); return }
            #expect(message.contains("it is now revision 2 (1.0.0 50% · 1.1.0 50%, by bob)"))
        }
        #expect(try await cp.client.endpoint("fraud").deployment.weights == Self.split((Self.v1, 50), (Self.v2, 50)))
        await cp.stop()
    }

    /// The console's rollback names the revision its confirmation showed: a shift made while the
    /// dialog was open is refused like a stale traffic change, not rolled back on top of.
    @Test func aRollbackMadeAgainstAStaleRevisionIsRefusedNotApplied() async throws {
        let cp = try await Self.seeded()
        let seen = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 80), (Self.v2, 20)), reason: "canary"))
        let bob = try await cp.client(named: "bob", role: .operator)
        let bobs = try await bob.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 90), (Self.v2, 10)), reason: "bob"))
        do {
            _ = try await cp.client.rollback("fraud", RollbackRequest(to: Self.v1, reason: "page", revision: seen.revision))
            Issue.record("a rollback against a stale revision was applied")
        } catch let error {
            #expect(error.httpStatus == 409)
            guard case .conflict(let message) = error else { Issue.record("expected 409, got \(error)"); return }
            #expect(message == "fraud changed since you looked: you edited revision 1, it is now revision 2 "
                        + "(1.0.0 90% · 1.1.0 10%, by bob); reload and try again")
        }
        #expect(try await cp.client.endpoint("fraud").deployment.weights == bobs.weights)
        #expect(try await cp.client.audit(limit: 1).first?.actor == "bob")
        // Made against the current revision it goes through; without one (the CLI) as before.
        let current = try await cp.client.rollback("fraud", RollbackRequest(to: Self.v1, reason: "page", revision: bobs.revision))
        #expect(current.weights == Self.split((Self.v1, 100), (Self.v2, 0)) && current.revision == 3)
        _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 50), (Self.v2, 50)), reason: "again"))
        #expect(try await cp.client.rollback("fraud", RollbackRequest(to: Self.v1, reason: "cli")).revision == 5)
        await cp.stop()
    }

    @Test func rollbackSendsEverythingToStableWithAuditAndEvent() async throws {
        let cp = try await Self.seeded()
        _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 80), (Self.v2, 20)), reason: "canary"))
        let rolledBack = try await cp.client.rollback("fraud", RollbackRequest(reason: "p99 alert fired"))
        #expect(rolledBack.weights == Self.split((Self.v1, 100), (Self.v2, 0)))
        #expect(cp.dataPlane.routes.first?.deployment.weights == rolledBack.weights)

        let audit = try #require(try await cp.client.audit(limit: 1).first)
        #expect(audit.action == "rollback")
        #expect(audit.actor == "admin")
        #expect(audit.from == "1.0.0 80% · 1.1.0 20%" && audit.to == "1.0.0 100% · 1.1.0 0%")
        #expect(audit.reason == "p99 alert fired")
        let event = try #require(try await cp.client.events().last)
        #expect(event.kind == .rollback)
        #expect(event.message == "fraud: rolled back to 1.0.0: 1.1.0 20% → 0%, 1.0.0 80% → 100% — p99 alert fired")

        // Nothing older to go back to.
        do {
            _ = try await cp.client.rollback("fraud", RollbackRequest(reason: "again"))
            Issue.record("rollback with nothing to roll back to succeeded")
        } catch {
            #expect(error.description.contains("no older version"))
        }
        await cp.stop()
    }

    @Test func failingCanaryIsRolledBackAutomatically() async throws {
        let cp = try await Self.seeded()
        _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 100)), reason: "stable"))
        let plan = RolloutPlan(strategy: .canary, steps: [10, 50, 100], intervalSeconds: 60)
        let started = try await cp.client.startRollout("fraud", RolloutStart(candidate: Self.v2, plan: plan, reason: "release 1.1.0"))
        #expect(started.state == .progressing)
        #expect(try await cp.client.endpoint("fraud").deployment.weights == Self.split((Self.v1, 90), (Self.v2, 10)))

        // A shift by hand during a rollout is refused: the rollout owns the split.
        await #expect(throws: NightjarError.self) {
            try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 50), (Self.v2, 50)), reason: "r"))
        }

        cp.dataPlane.setStats("fraud", [Self.v1: Self.stats(Self.v1, rps: 50, errorRate: 0),
                                        Self.v2: Self.stats(Self.v2, rps: 10, errorRate: 0.3)])
        let back = try await Self.eventually(10) {
            try await cp.client.endpoint("fraud").deployment.weights == Self.split((Self.v1, 100), (Self.v2, 0))
        }
        #expect(back)
        let status = try await cp.client.endpoint("fraud")
        #expect(status.rollout?.state == .rolledBack)
        #expect(status.rollout?.reason == "error rate 30.0% > 5.0%")
        let event = try #require(try await cp.client.events().last)
        #expect(event.kind == .rolloutRolledBack)
        #expect(event.actor == TrafficControl.controllerActor)
        #expect(event.message.contains("error rate 30.0% > 5.0%"))
        #expect(event.message.contains("1.1.0 10% → 0%, 1.0.0 90% → 100%"))
        await cp.stop()
    }

    @Test func healthyCanaryWalksItsStepsAndIsPromoted() async throws {
        let cp = try await Self.seeded()
        _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 100)), reason: "stable"))
        cp.dataPlane.setStats("fraud", [Self.v1: Self.stats(Self.v1, rps: 50, errorRate: 0),
                                        Self.v2: Self.stats(Self.v2, rps: 10, errorRate: 0)])
        let plan = RolloutPlan(strategy: .canary, steps: [50, 100], intervalSeconds: 1)
        _ = try await cp.client.startRollout("fraud", RolloutStart(candidate: Self.v2, plan: plan, reason: "release"))
        let promoted = try await Self.eventually(20) { try await cp.client.endpoint("fraud").rollout?.state == .promoted }
        #expect(promoted)
        #expect(try await cp.client.endpoint("fraud").deployment.weights == Self.split((Self.v1, 0), (Self.v2, 100)))
        // Only the rollout's own events, in order.
        let kinds = try await cp.client.events().map(\.kind).filter { $0.rawValue.hasPrefix("rollout") }
        #expect(kinds == [.rolloutStarted, .rolloutStep, .rolloutPromoted])
        await cp.stop()
    }

    @Test func operatorCommandsPauseResumeAndAbort() async throws {
        let cp = try await Self.seeded(controlInterval: .seconds(60))
        _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 100)), reason: "stable"))
        let plan = try RolloutPlan.linear(increment: 25, intervalSeconds: 30)
        _ = try await cp.client.startRollout("fraud", RolloutStart(candidate: Self.v2, plan: plan, reason: "release"))
        #expect(try await cp.client.rollout("fraud", .pause, reason: "looking").state == .paused)
        await #expect(throws: NightjarError.self) { try await cp.client.rollout("fraud", .pause, reason: "again") }
        #expect(try await cp.client.rollout("fraud", .resume, reason: "fine").state == .progressing)
        #expect(try await cp.client.rollout("fraud", .abort, reason: "not today").state == .aborted)
        #expect(try await cp.client.endpoint("fraud").deployment.weights == Self.split((Self.v1, 100), (Self.v2, 0)))
        let actions = try await cp.client.audit(limit: 4).map(\.action)
        #expect(actions == ["rollout.abort", "rollout.resume", "rollout.pause", "rollout.start"])
        await cp.stop()
    }

    @Test func eventsStreamAsServerSentEventsFromTheLastSeenID() async throws {
        let cp = try await Self.seeded()
        _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 100)), reason: "one"))
        _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 50), (Self.v2, 50)), reason: "two"))
        let all = try await cp.client.events()
        let shift = try #require(all.last)
        #expect(shift.message == "fraud: 1.0.0 100% → 50%, 1.1.0 0% → 50% — two")

        var request = HTTPClientRequest(url: cp.server.url + "/api/v1/events")
        request.headers.add(name: "Last-Event-ID", value: String(shift.id - 1))
        request.headers.add(name: "Authorization", value: "Bearer \(cp.adminToken)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
        var text = ""
        for try await chunk in response.body {
            text += String(buffer: chunk)
            if text.contains("\n\nid: ") || text.contains("— two") && text.hasSuffix("\n\n") { break }
        }
        #expect(text.contains("id: \(shift.id)\nevent: trafficChanged\ndata: {"))
        #expect(!text.contains("id: \(shift.id - 1)\n"))
        await cp.stop()
    }

    /// `newest=N`: the last N events, oldest first, as JSON and as the start of the stream; a bad
    /// count or one given with `after` is a 400 naming `newest`.
    @Test func newestEventsStartAtTheEndOfTheLog() async throws {
        let cp = try await Self.seeded()
        for weight in [100, 90, 80] {
            _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, weight), (Self.v2, 100 - weight)),
                                                                      reason: "to \(weight)", allowCold: true))
        }
        let all = try await cp.client.events()
        #expect(all.count >= 5)
        let newest = try await cp.client.newestEvents(2)
        #expect(newest.map(\.id) == all.suffix(2).map(\.id))
        #expect(newest.last?.message.hasSuffix("— to 80") == true)
        #expect(try await cp.client.newestEvents(10_000).map(\.id) == all.map(\.id))

        func get(_ query: String) async throws -> (status: UInt, body: String) {
            var request = HTTPClientRequest(url: cp.server.url + "/api/v1/events?" + query)
            request.headers.add(name: "Authorization", value: "Bearer \(cp.adminToken)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
        }
        for bad in ["newest=0&format=json", "newest=many&format=json", "newest=2&after=1&format=json"] {
            let answer = try await get(bad)
            #expect(answer.status == 400 && answer.body.contains("\"invalid_argument\"") && answer.body.contains("newest"), "\(bad): \(answer)")
        }

        // The stream starts at the newest event too, and not before it.
        var request = HTTPClientRequest(url: cp.server.url + "/api/v1/events?newest=1")
        request.headers.add(name: "Authorization", value: "Bearer \(cp.adminToken)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let last = try #require(all.last)
        var text = ""
        for try await chunk in response.body {
            text += String(buffer: chunk)
            if text.contains("— to 80") && text.hasSuffix("\n\n") { break }
        }
        #expect(text.contains("id: \(last.id)\nevent: trafficChanged\ndata: {"))
        #expect(!text.contains("id: \(last.id - 1)\n"))
        await cp.stop()
    }

    @Test func workersThatStopHeartbeatingBecomeEventsAndLeaveTheRoutes() async throws {
        let cp = try await Self.seeded(heartbeatInterval: 1)
        // allowCold: on a slow machine the workers may already be lost by now.
        _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: Self.split((Self.v1, 100)), reason: "r", allowCold: true))
        // The seeded workers never heartbeat again; after three missed beats (3 s) they are lost.
        let lost = try await Self.eventually(10) {
            try await cp.client.events().filter { $0.kind == .workerLost }.count == 2
        }
        #expect(lost)
        #expect(cp.dataPlane.routes.first?.workers[Self.v1] == [])
        #expect(try await cp.client.events().contains { $0.kind == .workerJoined && $0.message == "worker fraud@1.0.0 at http://127.0.0.1:9000 joined" })
        await cp.stop()
    }
}
