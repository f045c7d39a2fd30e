import NightjarCore

/// Which versions a spot check runs, and why. At 2 AM the question is about the versions carrying
/// traffic, not about the order the deployment lists them in: a version kept at 0% next to a live
/// canary is not what anyone is asking about.
struct SpotCheckChoice: Sendable, Equatable {
    /// One or two versions, the stable (or busiest) one first.
    var versions: [SemVer]
    /// Why these, for the title: "the rollout's stable and candidate".
    var why: String
    /// What each version is, under its column: "stable 80%", "shadow, mirrors 10%", "idle 0%".
    var roles: [SemVer: String]

    /// A running (or paused) rollout's stable and candidate; otherwise the two versions with the
    /// largest weights, where a shadow counts with the share it mirrors (it carries copies of real
    /// traffic). Nil when the endpoint lists no version.
    init?(_ endpoint: EndpointStatus) {
        let deployment = endpoint.deployment
        let shadow = deployment.routing.shadow
        func describe(_ version: SemVer) -> String {
            let weight = deployment.weight(of: version)
            if weight > 0 { return "\(weight)%" }
            if let shadow, shadow.version == version { return "shadow, mirrors \(shadow.mirrorPercent)%" }
            return "idle 0%"
        }
        if let rollout = endpoint.activeRollout {
            versions = rollout.stable == rollout.candidate ? [rollout.stable] : [rollout.stable, rollout.candidate]
            why = "the rollout's stable and candidate"
            roles = [:]
            roles[rollout.candidate] = "candidate " + describe(rollout.candidate)
            roles[rollout.stable] = "stable " + describe(rollout.stable)
            return
        }
        var listed: [SemVer] = []
        for version in deployment.weights.map(\.version) + (shadow.map { [$0.version] } ?? []) where !listed.contains(version) {
            listed.append(version)
        }
        // Ties keep the deployment's order, except that among idle versions the last rollout's
        // candidate comes first: after a rollback it is the version being judged.
        func share(_ version: SemVer) -> Int {
            max(deployment.weight(of: version), shadow?.version == version ? shadow?.mirrorPercent ?? 0 : 0)
        }
        let ranked = listed.enumerated().sorted { a, b in
            let (shareA, shareB) = (share(a.element), share(b.element))
            if shareA != shareB { return shareA > shareB }
            let (judgedA, judgedB) = (a.element == endpoint.rollout?.candidate, b.element == endpoint.rollout?.candidate)
            if judgedA != judgedB { return judgedA }
            return a.offset < b.offset
        }.map(\.element)
        guard !ranked.isEmpty else { return nil }
        versions = Array(ranked.prefix(2))
        if versions.count == 1 {
            why = "its only version"
        } else if share(versions[1]) > 0 {
            why = "the versions with the most traffic"
        } else if versions[1] == endpoint.rollout?.candidate {
            why = "the version with all the traffic and the last rollout's candidate"
        } else {
            why = "the version with all the traffic and an idle one"
        }
        roles = [:]
        for version in versions { roles[version] = describe(version) }
    }
}
