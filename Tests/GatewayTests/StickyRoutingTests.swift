import Foundation
@testable import Gateway
import NightjarCore
import Testing

@Suite struct StickyRoutingTests {
    let stable = SemVer(1, 0, 0)
    let candidate = SemVer(1, 1, 0)

    func split(_ candidatePercent: Int) -> [TrafficWeight] {
        [TrafficWeight(version: stable, weight: 100 - candidatePercent), TrafficWeight(version: candidate, weight: candidatePercent)]
    }

    @Test func shiftingFiveToTenPercentMovesOnlyTheNewFivePercentOfKeys() throws {
        let keys = (0..<20_000).map { "user-\($0)" }
        let before = keys.map { StickyHash.version(for: $0, weights: split(5)) }
        let after = keys.map { StickyHash.version(for: $0, weights: split(10)) }
        let moved = zip(before, after).filter { $0 != $1 }
        #expect(moved.allSatisfy { $0.0 == stable && $0.1 == candidate }, "a key left the candidate")
        let movedShare = Double(moved.count) / Double(keys.count)
        // 5% of 20000 keys has a standard deviation of 0.15 points.
        #expect(abs(movedShare - 0.05) < 0.008, "moved \(movedShare * 100)%")
        let candidateShare = Double(after.filter { $0 == candidate }.count) / Double(keys.count)
        #expect(abs(candidateShare - 0.10) < 0.01, "candidate holds \(candidateShare * 100)%")
    }

    @Test func keysOnlyMoveTowardsTheVersionThatGainedAcrossAFullRollout() throws {
        let keys = (0..<5_000).map { "session-\($0)" }
        var previous = keys.map { StickyHash.version(for: $0, weights: split(0)) }
        #expect(previous.allSatisfy { $0 == stable })
        for percent in [1, 5, 10, 25, 50, 75, 100] {
            let current = keys.map { StickyHash.version(for: $0, weights: split(percent)) }
            #expect(zip(previous, current).allSatisfy { $0 == $1 || $1 == candidate }, "at \(percent)%")
            previous = current
        }
        #expect(previous.allSatisfy { $0 == candidate })
    }

    @Test func zeroWeightVersionsGetNoKeysAndNoVersionsGiveNil() {
        let weights = [TrafficWeight(version: stable, weight: 100), TrafficWeight(version: candidate, weight: 0)]
        #expect((0..<1000).allSatisfy { StickyHash.version(for: "k\($0)", weights: weights) == stable })
        #expect(StickyHash.version(for: "k", weights: [TrafficWeight(version: stable, weight: 0)]) == nil)
    }

    @Test func theSameKeyReachesTheSameVersionThroughTheGateway() async throws {
        let a = try await FakeWorker.start(version: "1.0.0")
        let b = try await FakeWorker.start(version: "1.1.0")
        let gateway = try await RunningGateway.start([try GatewayFixtures.route([("1.0.0", 50), ("1.1.0", 50)], workers: [a, b])])
        var seen: [String: Set<String>] = [:]
        for round in 0..<5 {
            for user in 0..<20 {
                let key = "user-\(user)"
                let reply = try await gateway.post("/v2/models/fraud/infer", headers: ["x-nightjar-key": key])
                #expect(reply.status == 200, "round \(round)")
                seen[key, default: []].insert(reply.version ?? "?")
            }
        }
        #expect(seen.values.allSatisfy { $0.count == 1 }, "\(seen)")
        let expected = (0..<20).map { StickyHash.version(for: "user-\($0)", weights: split(50))?.description }
        #expect((0..<20).allSatisfy { seen["user-\($0)"] == [expected[$0] ?? "none"] })
        // With 20 users and a 50/50 split both versions get someone (all on one side: 2 in a million).
        #expect(Set(seen.values.flatMap { $0 }) == ["1.0.0", "1.1.0"])
        await gateway.service.stop()
        await a.service.stop()
        await b.service.stop()
    }
}
