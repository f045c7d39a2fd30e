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
                rows.append([
                    i == 0 ? "\(endpoint.endpoint) (rev \(endpoint.deployment.revision))" : "",
                    v.version.description, "\(v.weight)%", String(v.readyWorkers),
                    v.stats.map { String(format: "%.1f", $0.requestsPerSecond) } ?? "—",
                    v.stats.map { String(format: "%.1f", $0.errorRate * 100) } ?? "—",
                    v.stats.map { String(format: "%.1f", $0.latencyMs.p99) } ?? "—",
                    v.drift.map(Self.describe) ?? "—",
                    rollout,
                ])
            }
        }
        print(TextTable.render(rows))
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
        abstract: "Set an endpoint's split (creating the endpoint if needed).",
        discussion: "Example: nightjar traffic fraud 1.0.0=90 1.1.0=10 --reason \"canary by hand\"")

    @Argument(help: "The endpoint, e.g. fraud.") var endpoint: String
    @Argument(help: "VERSION=PERCENT pairs adding up to 100, e.g. 1.0.0=90 1.1.0=10.") var weights: [String]
    @Option(help: "Why; recorded in the audit log.") var reason: String
    @Option(help: "The model whose versions serve the endpoint, when creating it (default: the endpoint's name).")
    var model: String?
    @Option(help: "Refuse the change if the endpoint is no longer at this revision.") var revision: Int?
    @Flag(help: "Allow weight on a version with no ready worker.") var allowCold = false
    @OptionGroup var server: ServerAddressOption

    func run() async throws {
        let parsed = try weights.map(Self.parse)
        let client = server.client()
        let before = try? await client.endpoint(endpoint).deployment
        let after = try await client.setTraffic(endpoint, TrafficChange(
            model: model, weights: parsed, reason: reason, revision: revision, allowCold: allowCold ? true : nil))
        print("\(endpoint) revision \(after.revision): \(TrafficWeight.describeChange(from: before?.weights ?? [], to: after.weights))")
    }

    static func parse(_ text: String) throws -> TrafficWeight {
        let parts = text.split(separator: "=", omittingEmptySubsequences: false)
        guard parts.count == 2, let weight = Int(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "%"))) else {
            throw CommandFailure("weight '\(text)' must be VERSION=PERCENT, e.g. 1.1.0=10")
        }
        return TrafficWeight(version: try SemVer(parsing: String(parts[0])), weight: weight)
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
