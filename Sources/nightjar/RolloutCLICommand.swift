import ArgumentParser
import Foundation
import NightjarCore

/// `nightjar rollout start|promote|pause|resume|abort`.
struct RolloutCLICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout", abstract: "Start, promote, pause, resume or abort a rollout.",
        subcommands: [Start.self, Act.Promote.self, Act.Pause.self, Act.Resume.self, Act.Abort.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move an endpoint from its stable version to a candidate, step by step, rolling back on a failing rule.",
            discussion: """
                Examples:
                  nightjar rollout start fraud --to 1.1.0 --plan canary --steps 5,10,25,50,100 --interval 2m --reason "release"
                  nightjar rollout start fraud --to 1.1.0 --plan blue-green --mirror 50 --interval 5m --reason "release"
                  nightjar rollout start fraud --to 1.1.0 --plan shadow-only --reason "watch it first"
                  nightjar rollout start fraud --to 1.1.0 --plan-file plan.toml --reason "release"
                Flags given with --plan-file override the file. The file format is in docs/rollouts.md.
                """)

        @Argument(help: "The endpoint, e.g. fraud.") var endpoint: String
        @Option(help: "The candidate version.") var to: String
        @Option(help: "A TOML plan file (docs/rollouts.md); flags given as well override it.") var planFile: String?
        @Option(help: "canary (fixed --steps), linear (+--increment every interval), blue-green or shadow-only (default canary).")
        var plan: String?
        // The numbers and durations are read even when they start with "-", so that `--interval -5s`
        // is refused for what it is rather than as "Missing value for '--interval'".
        @Option(parsing: .unconditional, help: "Canary steps in percent, ending at 100 (default 5,10,25,50,100).") var steps: String?
        @Option(parsing: .unconditional, help: "Linear plan: percent added every interval (default 10).") var increment: Int?
        @Option(parsing: .unconditional, help: "How long each step is held: 30s, 2m, 1h (default 1m).") var interval: String?
        @Option(parsing: .unconditional, help: "blue-green and shadow-only: percent of requests copied to the candidate (default 100).") var mirror: Int?
        @Option(parsing: .unconditional, help: "Candidate error rate that fails the rollout (0.05 = 5%).") var maxErrorRate: Double?
        @Option(parsing: .unconditional, help: "How much the candidate's error rate may exceed stable's (0.02 = 2 points).") var maxErrorRateIncrease: Double?
        @Option(parsing: .unconditional, help: "Candidate p99 in ms that fails the rollout.") var maxP99Ms: Double?
        @Option(parsing: .unconditional, help: "How many times stable's p99 the candidate's may be, plus --latency-slack-ms.") var maxP99Ratio: Double?
        @Option(parsing: .unconditional, help: "Milliseconds added to stable's p99 times --max-p99-ratio, so tiny latencies do not fail on noise.")
        var latencySlackMs: Double?
        @Flag(inversion: .prefixedNo, help: "Whether a drift verdict on the candidate fails the rollout (a warn never does).")
        var failOnDrift: Bool?
        @Option(parsing: .unconditional, help: "Candidate requests in the 10 s window below which nothing is judged.") var minRequests: Int?
        @Option(parsing: .unconditional, help: "Shadowed candidate: least share of labels agreeing with the primary's (0.95 = 95%).")
        var minShadowAgreement: Double?
        @Option(parsing: .unconditional, help: "Shadowed candidate: largest mean absolute score difference.") var maxShadowScoreDifference: Double?
        @Option(parsing: .unconditional, help: "Shadowed candidate: compared answers below which nothing is judged.") var minShadowComparisons: Int?
        @Option(help: "Why; recorded in the audit log.") var reason: String
        @OptionGroup var server: ServerAddressOption

        func run() async throws {
            let rolloutPlan = try spec().plan()
            let status = try await server.client().startRollout(
                endpoint, RolloutStart(candidate: try SemVer(parsing: to), plan: rolloutPlan, reason: reason))
            let phases = status.plan.steps.map { $0 == 0 ? "shadow (\(status.plan.mirrorPercent)% mirrored)" : "\($0)%" }
            print("\(endpoint): rollout \(status.stable) → \(status.candidate) started (\(status.plan.strategy.rawValue)); "
                + "\(phases.joined(separator: " → ")), \(Int(status.plan.intervalSeconds)) s each")
        }

        /// The plan file's settings, then every flag given.
        func spec() throws -> PlanSpec {
            var spec = try planFile.map(PlanFile.read) ?? PlanSpec()
            if let plan {
                guard let strategy = RolloutPlan.Strategy(rawValue: plan) else {
                    throw CommandFailure("--plan: '\(plan)' is not a plan; use "
                        + RolloutPlan.Strategy.allCases.map(\.rawValue).joined(separator: ", "))
                }
                spec.strategy = strategy
            }
            if let steps {
                spec.steps = try steps.split(separator: ",").map { piece in
                    guard let n = Int(piece.trimmingCharacters(in: .whitespaces)) else {
                        throw CommandFailure("--steps: '\(piece)' is not a whole percent; write e.g. 5,10,25,50,100")
                    }
                    return n
                }
            }
            if let increment { spec.increment = increment }
            if let interval { spec.intervalSeconds = try DurationText.seconds(interval) }
            if let mirror { spec.mirror = mirror }
            if let maxErrorRate { spec.rules.maxErrorRate = maxErrorRate }
            if let maxErrorRateIncrease { spec.rules.maxErrorRateIncrease = maxErrorRateIncrease }
            if let maxP99Ms { spec.rules.maxP99Ms = maxP99Ms }
            if let maxP99Ratio { spec.rules.maxP99Ratio = maxP99Ratio }
            if let latencySlackMs { spec.rules.latencySlackMs = latencySlackMs }
            if let failOnDrift { spec.rules.failOnDrift = failOnDrift }
            if let minRequests { spec.rules.minimumRequests = minRequests }
            if let minShadowAgreement { spec.rules.minShadowAgreement = minShadowAgreement }
            if let maxShadowScoreDifference { spec.rules.maxShadowScoreDifference = maxShadowScoreDifference }
            if let minShadowComparisons { spec.rules.minimumShadowComparisons = minShadowComparisons }
            // As in a plan file: a flag the strategy does not use is a mistake to name, not to drop.
            if steps != nil, spec.strategy != .canary {
                throw CommandFailure("--steps: only canary plans have steps; \(spec.strategy.rawValue) plans do not")
            }
            if increment != nil, spec.strategy != .linear {
                throw CommandFailure("--increment: only linear plans have an increment; \(spec.strategy.rawValue) plans do not")
            }
            if mirror != nil, spec.strategy.fixedSteps == nil {
                throw CommandFailure("--mirror: only blue-green and shadow-only plans mirror requests; \(spec.strategy.rawValue) plans do not")
            }
            return spec
        }
    }

    /// The four operator commands share everything but their name.
    enum Act {
        struct Options: ParsableArguments {
            @Argument(help: "The endpoint, e.g. fraud.") var endpoint: String
            @Option(help: "Why; recorded in the audit log.") var reason: String
            @OptionGroup var server: ServerAddressOption

            func perform(_ command: RolloutCommand) async throws {
                let status = try await server.client().rollout(endpoint, command, reason: reason)
                print("\(endpoint): rollout to \(status.candidate) is \(status.state.rawValue)")
            }
        }

        struct Promote: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Give the candidate 100% now and end the rollout.")
            @OptionGroup var options: Options
            func run() async throws { try await options.perform(.promote) }
        }

        struct Pause: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Hold the current step (analysis keeps running).")
            @OptionGroup var options: Options
            func run() async throws { try await options.perform(.pause) }
        }

        struct Resume: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Continue a paused rollout; the step's interval starts again.")
            @OptionGroup var options: Options
            func run() async throws { try await options.perform(.resume) }
        }

        struct Abort: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "End the rollout and send all traffic back to stable.")
            @OptionGroup var options: Options
            func run() async throws { try await options.perform(.abort) }
        }
    }
}

/// "90s", "2m", "1h" or plain seconds.
enum DurationText {
    static func seconds(_ text: String) throws -> Double {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        var number = Substring(text)
        var scale = 1.0
        if let last = text.last, let unit = units[last] {
            number = text.dropLast()
            scale = unit
        }
        guard let value = Double(number), value.isFinite, value > 0 else {
            throw CommandFailure("duration '\(text)' is not a duration; write e.g. 30s, 2m or 1h")
        }
        return value * scale
    }
}
