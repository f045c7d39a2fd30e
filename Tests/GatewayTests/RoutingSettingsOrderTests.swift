import Foundation
@testable import Gateway
import NightjarCore
import Testing

/// The order in which a deployment's routing settings pick a version, checked on the pure plan:
/// a path pin, then the version header, then header rules, then the deployment's sticky header.
@Suite struct RoutingSettingsOrderTests {
    static let v1 = SemVer(1, 0, 0)
    static let v2 = SemVer(1, 1, 0)
    static let v3 = SemVer(2, 0, 0)

    static func plan(_ routing: DeploymentRouting) throws -> EndpointPlan {
        var deployment = try GatewayFixtures.deployment([("1.0.0", 50), ("1.1.0", 50), ("2.0.0", 0)])
        deployment.routing = routing
        return EndpointPlan(route: EndpointRoute(deployment: deployment) { _ in ["http://127.0.0.1:1"] })
    }

    /// What the plan chooses for a request with these headers, as `forward` asks it.
    static func choose(_ plan: EndpointPlan, pinned: String? = nil, headers: [String: String]) -> SemVer? {
        let ask = EndpointPlan.Ask(pinned: pinned, override: headers["x-nightjar-version"], matched: plan.headerMatch { headers[$0] },
                                   stickyKey: plan.stickyKeyHeader(default: "x-nightjar-key").flatMap { headers[$0] })
        return try? plan.chooseVersion(ask, versionHeader: "x-nightjar-version", draw: 0).get()
    }

    @Test func headerRulesComeAfterPinsAndBeforeStickyKeys() throws {
        let plan = try Self.plan(DeploymentRouting(
            headerMatches: [.init(header: "x-tenant", value: "acme", version: Self.v3), .init(header: "x-tenant", value: "beta", version: Self.v2)],
            sticky: .init(header: "x-user-id")))
        #expect(Self.choose(plan, headers: ["x-tenant": "acme", "x-user-id": "u1"]) == Self.v3)
        #expect(Self.choose(plan, headers: ["x-tenant": "beta"]) == Self.v2)
        #expect(Self.choose(plan, headers: ["x-tenant": "acme", "x-nightjar-version": "1.0.0"]) == Self.v1)
        #expect(Self.choose(plan, pinned: "1.1.0", headers: ["x-tenant": "acme"]) == Self.v2)
        // No rule matches: the deployment's sticky header decides, the gateway's own is not read.
        for user in (0..<50).map({ "user-\($0)" }) {
            let expected = StickyHash.version(for: user, weights: plan.route.deployment.weights)
            #expect(Self.choose(plan, headers: ["x-tenant": "other", "x-user-id": user]) == expected)
        }
        let byDefaultHeader = (0..<50).map { Self.choose(plan, headers: ["x-nightjar-key": "user-\($0)"]) }
        #expect(Set(byDefaultHeader) == [Self.v1], "the draw of 0 picks the first version; a sticky key read from x-nightjar-key would spread")
    }

    @Test func withoutASettingTheGatewaysStickyHeaderApplies() throws {
        let plan = try Self.plan(DeploymentRouting())
        let spread = Set((0..<50).map { Self.choose(plan, headers: ["x-nightjar-key": "user-\($0)"]) })
        #expect(spread == [Self.v1, Self.v2])
    }

    @Test func aRouteBuiltFromADeploymentCarriesItsShadowAndTheWorkersOfEveryVersionItNames() throws {
        var deployment = try GatewayFixtures.deployment([("1.0.0", 100)])
        deployment.routing = DeploymentRouting(shadow: .init(version: Self.v2, mirrorPercent: 30),
                                               headerMatches: [.init(header: "x-tenant", value: "acme", version: Self.v3)])
        let route = EndpointRoute(deployment: deployment) { ["http://w-\($0)"] }
        #expect(route.shadow == ShadowRoute(version: Self.v2, percent: 30))
        #expect(route.workers == [Self.v1: ["http://w-1.0.0"], Self.v2: ["http://w-1.1.0"], Self.v3: ["http://w-2.0.0"]])
    }
}
