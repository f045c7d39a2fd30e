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
            discussion: "Example: nightjar rollout start fraud --to 1.1.0 --plan canary --steps 5,10,25,50,100 --interval 2m --reason \"release\"")

        @Argument(help: "The endpoint, e.g. fraud.") var endpoint: String
        @Option(help: "The candidate version.") var to: String
        @Option(help: "canary (fixed --steps) or linear (+--increment every interval).") var plan = "canary"
        @Option(help: "Canary steps in percent, ending at 100.") var steps = "5,10,25,50,100"
        @Option(help: "Linear plan: percent added every interval.") var increment = 10
        @Option(help: "How long each step is held: 30s, 2m, 1h.") var interval = "1m"
        @Option(help: "Candidate error rate that fails the rollout (0.05 = 5%).") var maxErrorRate = 0.05
        @Option(help: "Candidate p99 in ms that fails the rollout.") var maxP99Ms = 250.0
        @Option(help: "Candidate requests in the 10 s window below which nothing is judged.") var minRequests = 20
        @Option(help: "Why; recorded in the audit log.") var reason: String
        @OptionGroup var server: ServerAddressOption

        func run() async throws {
            let seconds = try DurationText.seconds(interval)
            var rules = AnalysisRules()
            rules.maxErrorRate = maxErrorRate
            rules.maxP99Ms = maxP99Ms
            rules.minimumRequests = minRequests
            let rolloutPlan: RolloutPlan
            switch plan {
            case "canary":
                let parsed = try steps.split(separator: ",").map { piece in
                    guard let n = Int(piece.trimmingCharacters(in: .whitespaces)) else {
                        throw CommandFailure("--steps: '\(piece)' is not a whole percent; write e.g. 5,10,25,50,100")
                    }
                    return n
                }
                rolloutPlan = RolloutPlan(strategy: .canary, steps: parsed, intervalSeconds: seconds, rules: rules)
            case "linear":
                rolloutPlan = try RolloutPlan.linear(increment: increment, intervalSeconds: seconds, rules: rules)
            default:
                throw CommandFailure("--plan: '\(plan)' is not a plan; use canary or linear")
            }
            try rolloutPlan.validate()
            let status = try await server.client().startRollout(
                endpoint, RolloutStart(candidate: try SemVer(parsing: to), plan: rolloutPlan, reason: reason))
            print("\(endpoint): rollout \(status.stable) → \(status.candidate) started at \(status.candidateWeight)%; "
                + "steps \(status.plan.steps.map { "\($0)%" }.joined(separator: " → ")), \(interval) each")
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
