import ArgumentParser
import Foundation
import NightjarCore

struct EndpointsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoints", abstract: "List endpoints: their split, live numbers per version and any rollout.")

    @OptionGroup var server: ServerAddressOption

    func run() async throws {
        let endpoints = try await server.client().endpoints()
        if endpoints.isEmpty {
            print("no endpoints yet: create one with `nightjar traffic NAME 1.0.0=100 --reason \"first deploy\"`")
            return
        }
        var rows = [["ENDPOINT", "VERSION", "WEIGHT", "WORKERS", "REQ/S", "ERR%", "P99 MS", "DRIFT", "ROLLOUT"]]
        for endpoint in endpoints {
            for (i, v) in endpoint.versions.enumerated() {
                let rollout = i == 0 ? endpoint.rollout.map(Self.describe) ?? "" : ""
                let served = v.stats.flatMap { $0.hasRequestsInWindow ? $0 : nil }
                rows.append([
                    i == 0 ? "\(endpoint.endpoint) (rev \(endpoint.deployment.revision))" : "",
                    v.version.description, "\(v.weight)%", String(v.readyWorkers),
                    v.stats.map { String(format: "%.1f", $0.requestsPerSecond) } ?? "—",
                    // With no request in the window there is no error rate or latency: "—", not a
                    // 0.0 that reads as measured and healthy.
                    served.map { String(format: "%.1f%%", $0.errorRate * 100) } ?? "—",
                    served.map { String(format: "%.1f", $0.latencyMs.p99) } ?? "—",
                    v.drift.map(Self.describe) ?? "—",
                    rollout,
                ])
            }
        }
        print(TextTable.render(rows))
        for endpoint in endpoints where !endpoint.deployment.routing.isEmpty {
            var line = "\(endpoint.endpoint) routing: \(endpoint.deployment.routing.summary)"
            if let shadow = endpoint.shadow {
                line += String(format: " (shadow: %d compared, %.1f%% agree, mean |Δ| %.3f, %d errors)", shadow.compared,
                               shadow.agreementRate * 100, shadow.meanAbsoluteDifference, shadow.shadowErrors)
            }
            print(line)
        }
        for endpoint in endpoints {
            guard let rollout = endpoint.rollout, !rollout.state.isFinished, !rollout.checks.isEmpty else { continue }
            print("\n\(endpoint.endpoint) rollout \(rollout.stable) → \(rollout.candidate), latest analysis:")
            var checks = [["RULE", "MEASURED", "LIMIT", "VERDICT"]]
            for check in rollout.checks {
                checks.append([check.rule, check.measured.map(check.unit.text) ?? "—", check.unit.text(check.threshold),
                               check.verdict == .notEnoughData ? "not enough data" : check.verdict.rawValue])
            }
            print(TextTable.render(checks))
        }
    }

    /// "drift (features[0])", "ok", "not enough data".
    static func describe(_ d: DriftReport) -> String {
        switch d.verdict {
        case .drift, .warn: "\(d.verdict.rawValue) (\(d.columns.filter { $0.verdict == d.verdict }.map(\.name).joined(separator: ", ")))"
        case .ok: "ok"
        case .notEnoughData: "not enough data"
        }
    }

    static func describe(_ r: RolloutStatus) -> String {
        let step = r.state.isFinished ? "" : " step \(r.stepIndex + 1)/\(r.plan.steps.count) (\(r.candidateWeight)%)"
        let why = r.reason.map { ": \($0)" } ?? ""
        return "\(r.stable) → \(r.candidate) \(r.state.rawValue)\(step)\(why)"
    }
}

struct TrafficCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traffic",
        abstract: "Set an endpoint's split and routing settings (creating the endpoint if needed).",
        discussion: """
            Examples:
              nightjar traffic fraud 1.0.0=90 1.1.0=10 --reason "canary by hand"
              nightjar traffic fraud 1.0.0=100 --shadow 1.1.0 --mirror 10 --sticky header:x-user-id --reason "watch 1.1.0"
              nightjar traffic fraud 1.0.0=100 1.1.0=0 --match x-tenant=acme:1.1.0 --reason "acme tries 1.1.0"
              nightjar traffic fraud 1.0.0=100 --no-shadow --no-sticky --no-matches --reason "plain split again"
            Routing options not given keep the endpoint's current settings.
            """)

    @Argument(help: "The endpoint, e.g. fraud.") var endpoint: String
    @Argument(help: "VERSION=PERCENT pairs adding up to 100, e.g. 1.0.0=90 1.1.0=10.") var weights: [String]
    @Option(help: "Why; recorded in the audit log.") var reason: String
    @Option(help: "The model whose versions serve the endpoint, when creating it (default: the endpoint's name).")
    var model: String?
    @Option(help: "Refuse the change if the endpoint is no longer at this revision.") var revision: Int?
    @Flag(help: "Allow weight (or a shadow, or a header rule) on a version with no ready worker.") var allowCold = false
    @Option(help: "Mirror copies of inference requests to this version (answers compared, never returned).")
    var shadow: String?
    @Option(help: "Percent of inference requests mirrored to the shadow, 1 to 100 (default 100).") var mirror: Int?
    @Flag(help: "Stop mirroring to a shadow.") var noShadow = false
    @Option(help: "Keep each client on one version by a header's or an input's value: header:NAME or input:NAME, e.g. header:x-user-id, input:user_id.")
    var sticky: String?
    @Flag(help: "Use the gateway's own sticky header (x-nightjar-key) again.") var noSticky = false
    @Option(help: "HEADER=VALUE:VERSION: requests with that header value go to VERSION (repeatable; replaces the rules).")
    var match: [String] = []
    @Flag(help: "Remove every header rule.") var noMatches = false
    @OptionGroup var server: ServerAddressOption

    func run() async throws {
        let parsed = try weights.map(Self.parse)
        let client = server.client()
        let before = try? await client.endpoint(endpoint).deployment
        let routing = try routingChange(current: before?.routing ?? DeploymentRouting())
        let after = try await client.setTraffic(endpoint, TrafficChange(
            model: model, weights: parsed, reason: reason, revision: revision ?? (routing == nil ? nil : before?.revision),
            allowCold: allowCold ? true : nil, routing: routing))
        print("\(endpoint) revision \(after.revision): \(TrafficWeight.describeChange(from: before?.weights ?? [], to: after.weights))")
        if !after.routing.isEmpty || (before.map { !$0.routing.isEmpty } ?? false) {
            print("routing: \(after.routing.isEmpty ? "none" : after.routing.summary)")
        }
    }

    /// The settings to send: the current ones with the options applied, or nil when no routing option
    /// was given (the server then keeps them). Sent with the revision they were read at, so a change
    /// made meanwhile is refused rather than overwritten.
    func routingChange(current: DeploymentRouting) throws -> DeploymentRouting? {
        let touched = shadow != nil || mirror != nil || noShadow || sticky != nil || noSticky || !match.isEmpty || noMatches
        guard touched else { return nil }
        var routing = current
        if noShadow { routing.shadow = nil }
        if let shadow {
            routing.shadow = DeploymentRouting.Shadow(version: try SemVer(parsing: shadow), mirrorPercent: mirror ?? 100)
        } else if let mirror {
            guard let existing = routing.shadow else {
                throw CommandFailure("--mirror needs a shadow: name one with --shadow VERSION")
            }
            routing.shadow = DeploymentRouting.Shadow(version: existing.version, mirrorPercent: mirror)
        }
        if noSticky { routing.sticky = nil }
        if let sticky { routing.sticky = try DeploymentRouting.StickyKey(parsing: sticky) }
        if noMatches { routing.headerMatches = [] }
        if !match.isEmpty { routing.headerMatches = try match.map(Self.parseMatch) }
        return routing
    }

    static func parse(_ text: String) throws -> TrafficWeight {
        let parts = text.split(separator: "=", omittingEmptySubsequences: false)
        guard parts.count == 2, let weight = Int(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "%"))) else {
            throw CommandFailure("weight '\(text)' must be VERSION=PERCENT, e.g. 1.1.0=10")
        }
        return TrafficWeight(version: try SemVer(parsing: String(parts[0])), weight: weight)
    }

    /// `x-tenant=acme:1.1.0`: the version follows the last colon, so values may hold colons.
    static func parseMatch(_ text: String) throws -> DeploymentRouting.HeaderMatch {
        guard let equals = text.firstIndex(of: "="), let colon = text.lastIndex(of: ":"), equals < colon else {
            throw CommandFailure("header rule '\(text)' must be HEADER=VALUE:VERSION, e.g. x-tenant=acme:1.1.0")
        }
        return DeploymentRouting.HeaderMatch(
            header: String(text[..<equals]).lowercased(), value: String(text[text.index(after: equals)..<colon]),
            version: try SemVer(parsing: String(text[text.index(after: colon)...])))
    }
}

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Send all of an endpoint's traffic back to its stable version (or --to a version); ends any rollout.")

    @Argument(help: "The endpoint, e.g. fraud.") var endpoint: String
    @Option(help: "Why; recorded in the audit log.") var reason: String
    @Option(help: "The version to send all traffic to (default: the rollout's stable, else the older serving version).")
    var to: String?
    @OptionGroup var server: ServerAddressOption

    func run() async throws {
        let client = server.client()
        let before = try await client.endpoint(endpoint).deployment
        let after = try await client.rollback(endpoint, RollbackRequest(to: try to.map { try SemVer(parsing: $0) }, reason: reason))
        print("\(endpoint) revision \(after.revision): \(TrafficWeight.describeChange(from: before.weights, to: after.weights))")
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Who changed what, when and why; newest first.")

    @Option(help: "How many entries.") var limit = 50
    @OptionGroup var server: ServerAddressOption

    func run() async throws {
        let entries = try await server.client().audit(limit: limit)
        let formatter = ISO8601DateFormatter()
        var rows = [["WHEN", "WHO", "ACTION", "SUBJECT", "FROM", "TO", "WHY"]]
        for e in entries {
            rows.append([formatter.string(from: e.at), e.actor, e.action, e.subject, e.from ?? "", e.to ?? "", e.reason ?? ""])
        }
        print(TextTable.render(rows))
    }
}
