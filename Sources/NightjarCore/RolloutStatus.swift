import Foundation

/// How a rollout moves traffic from the stable version to a candidate.
public struct RolloutPlan: Sendable, Codable, Equatable {
    public enum Strategy: String, Sendable, Codable, CaseIterable {
        /// Fixed steps, e.g. 5 → 10 → 25 → 50 → 100, with a pause per step.
        case canary
        /// +N% every interval until 100.
        case linear
        /// The candidate is shadowed (copies only) for one interval, then takes 100% at once.
        case blueGreen = "blue-green"
        /// The candidate is shadowed and watched; traffic never moves until an operator promotes or aborts.
        case shadowOnly = "shadow-only"

        /// The steps the strategy implies, when it fixes them; a weight of 0 is a shadow phase.
        public var fixedSteps: [Int]? {
            switch self {
            case .canary, .linear: nil
            case .blueGreen: [0, 100]
            case .shadowOnly: [0]
            }
        }
    }

    public var strategy: Strategy
    /// Candidate weights in percent, the last one 100 (increasing from 1 for canary and linear;
    /// `[0, 100]` for blue-green, `[0]` for shadow-only, where 0 means shadowed).
    public var steps: [Int]
    /// How long each step is held while analysis runs, in seconds.
    public var intervalSeconds: Double
    public var rules: AnalysisRules
    /// Share of inference requests copied to the candidate while it is shadowed.
    public var mirrorPercent: Int

    public static let defaultIntervalSeconds = 60.0

    public init(strategy: Strategy, steps: [Int], intervalSeconds: Double, rules: AnalysisRules = AnalysisRules(),
                mirrorPercent: Int = 100) {
        self.strategy = strategy
        self.steps = steps
        self.intervalSeconds = intervalSeconds
        self.rules = rules
        self.mirrorPercent = mirrorPercent
    }

    /// A blue-green or shadow-only plan: the steps follow from the strategy.
    public static func shadowing(_ strategy: Strategy, intervalSeconds: Double, mirrorPercent: Int = 100,
                                 rules: AnalysisRules = AnalysisRules()) throws(NightjarError) -> RolloutPlan {
        guard let steps = strategy.fixedSteps else {
            throw .invalidArgument("plan.strategy: \(strategy.rawValue) needs steps; shadowing plans are blue-green and shadow-only")
        }
        let plan = RolloutPlan(strategy: strategy, steps: steps, intervalSeconds: intervalSeconds, rules: rules, mirrorPercent: mirrorPercent)
        try plan.validate()
        return plan
    }

    /// Plans written before blue-green carry no `mirrorPercent`; shadowing plans may leave out the
    /// steps their strategy fixes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        strategy = try c.decode(Strategy.self, forKey: .strategy)
        steps = try c.decodeIfPresent([Int].self, forKey: .steps) ?? strategy.fixedSteps ?? []
        intervalSeconds = try c.decodeIfPresent(Double.self, forKey: .intervalSeconds) ?? Self.defaultIntervalSeconds
        rules = try c.decodeIfPresent(AnalysisRules.self, forKey: .rules) ?? AnalysisRules()
        mirrorPercent = try c.decodeIfPresent(Int.self, forKey: .mirrorPercent) ?? 100
    }

    /// A linear plan's steps: +`increment` until 100.
    public static func linear(increment: Int, intervalSeconds: Double, rules: AnalysisRules = AnalysisRules()) throws(NightjarError) -> RolloutPlan {
        guard (1...100).contains(increment) else {
            throw .invalidArgument("increment: \(increment)% must be between 1 and 100")
        }
        var steps = Array(stride(from: increment, to: 100, by: increment))
        steps.append(100)
        let plan = RolloutPlan(strategy: .linear, steps: steps, intervalSeconds: intervalSeconds, rules: rules)
        try plan.validate()
        return plan
    }

    public func validate() throws(NightjarError) {
        if let fixed = strategy.fixedSteps {
            guard steps == fixed else {
                throw .invalidArgument("steps: \(strategy.rawValue) plans have steps \(fixed) (0 = shadowed), not \(steps); leave them out")
            }
            guard (1...100).contains(mirrorPercent) else {
                throw .invalidArgument("mirrorPercent: \(mirrorPercent) is out of range; mirror 1 to 100 percent of requests to the candidate")
            }
        } else {
            guard !steps.isEmpty, steps.last == 100 else {
                throw .invalidArgument("steps: \(steps) must end at 100, the candidate taking all traffic")
            }
            guard steps.allSatisfy({ (1...100).contains($0) }), zip(steps, steps.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw .invalidArgument("steps: \(steps) must be increasing percents between 1 and 100")
            }
        }
        guard intervalSeconds.isFinite, intervalSeconds >= 1, intervalSeconds <= 86_400 else {
            throw .invalidArgument("interval: \(intervalSeconds) s must be between 1 s and 24 h")
        }
        try rules.validate()
    }
}

/// The limits a candidate is held to while a rollout runs, checked every second.
public struct AnalysisRules: Sendable, Codable, Equatable {
    /// Candidate error rate above this fails outright, whatever stable does (0.05 = 5%).
    public var maxErrorRate: Double
    /// Candidate error rate may exceed stable's by at most this much.
    public var maxErrorRateIncrease: Double
    /// Candidate p99 in milliseconds may not exceed this.
    public var maxP99Ms: Double
    /// Candidate p99 may be at most this multiple of stable's p99, plus `latencySlackMs`.
    public var maxP99Ratio: Double
    public var latencySlackMs: Double
    /// Below this many candidate requests in the window no rule is judged.
    public var minimumRequests: Int
    /// Whether a `drift` verdict on the candidate's inputs or outputs fails the rollout (a `warn` never does).
    public var failOnDrift: Bool
    /// While the candidate is shadowed: the least share of compared answers whose labels agree with
    /// the primary's (0.95 = 95%).
    public var minShadowAgreement: Double
    /// While shadowed: the largest mean |primary − candidate| over the floating outputs (scores, probabilities).
    public var maxShadowScoreDifference: Double
    /// Below this many compared answers no shadow rule is judged.
    public var minimumShadowComparisons: Int

    public init(maxErrorRate: Double = 0.05, maxErrorRateIncrease: Double = 0.02, maxP99Ms: Double = 250,
                maxP99Ratio: Double = 2, latencySlackMs: Double = 10, minimumRequests: Int = 20, failOnDrift: Bool = true,
                minShadowAgreement: Double = 0.95, maxShadowScoreDifference: Double = 0.05, minimumShadowComparisons: Int = 20) {
        self.maxErrorRate = maxErrorRate
        self.maxErrorRateIncrease = maxErrorRateIncrease
        self.maxP99Ms = maxP99Ms
        self.maxP99Ratio = maxP99Ratio
        self.latencySlackMs = latencySlackMs
        self.minimumRequests = minimumRequests
        self.failOnDrift = failOnDrift
        self.minShadowAgreement = minShadowAgreement
        self.maxShadowScoreDifference = maxShadowScoreDifference
        self.minimumShadowComparisons = minimumShadowComparisons
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AnalysisRules()
        maxErrorRate = try c.decodeIfPresent(Double.self, forKey: .maxErrorRate) ?? d.maxErrorRate
        maxErrorRateIncrease = try c.decodeIfPresent(Double.self, forKey: .maxErrorRateIncrease) ?? d.maxErrorRateIncrease
        maxP99Ms = try c.decodeIfPresent(Double.self, forKey: .maxP99Ms) ?? d.maxP99Ms
        maxP99Ratio = try c.decodeIfPresent(Double.self, forKey: .maxP99Ratio) ?? d.maxP99Ratio
        latencySlackMs = try c.decodeIfPresent(Double.self, forKey: .latencySlackMs) ?? d.latencySlackMs
        minimumRequests = try c.decodeIfPresent(Int.self, forKey: .minimumRequests) ?? d.minimumRequests
        failOnDrift = try c.decodeIfPresent(Bool.self, forKey: .failOnDrift) ?? d.failOnDrift
        minShadowAgreement = try c.decodeIfPresent(Double.self, forKey: .minShadowAgreement) ?? d.minShadowAgreement
        maxShadowScoreDifference = try c.decodeIfPresent(Double.self, forKey: .maxShadowScoreDifference) ?? d.maxShadowScoreDifference
        minimumShadowComparisons = try c.decodeIfPresent(Int.self, forKey: .minimumShadowComparisons) ?? d.minimumShadowComparisons
    }

    public func validate() throws(NightjarError) {
        guard (0...1).contains(maxErrorRate), (0...1).contains(maxErrorRateIncrease) else {
            throw .invalidArgument("rules: error rates are fractions between 0 and 1 (0.05 = 5%)")
        }
        guard maxP99Ms > 0, maxP99Ratio >= 1, latencySlackMs >= 0 else {
            throw .invalidArgument("rules: max p99 must be positive and the p99 ratio at least 1")
        }
        guard minimumRequests >= 1 else {
            throw .invalidArgument("rules: minimum requests must be at least 1")
        }
        guard (0...1).contains(minShadowAgreement), maxShadowScoreDifference.isFinite, maxShadowScoreDifference >= 0 else {
            throw .invalidArgument("rules: shadow agreement is a fraction between 0 and 1, the score difference 0 or more")
        }
        guard minimumShadowComparisons >= 1 else {
            throw .invalidArgument("rules: minimum shadow comparisons must be at least 1")
        }
    }
}

/// One rule's latest check: what was measured against what limit, and in which unit.
public struct RuleCheck: Sendable, Codable, Equatable {
    public enum Verdict: String, Sendable, Codable {
        case passing, failing
        /// Too few candidate requests to judge.
        case notEnoughData
    }

    /// What `measured` and `threshold` count, so a reader shows them without guessing from the name.
    public enum Unit: String, Sendable, Codable {
        /// A share between 0 and 1 (error rates, agreement), shown as a percent.
        case fraction
        case milliseconds
        /// A plain number (a PSI, a mean score difference).
        case number

        /// "6.8%", "212 ms", "3.5 ms", "0.012": how rollback reasons and the CLI write a rule's value.
        public func text(_ value: Double) -> String {
            switch self {
            case .fraction: String(format: "%.1f%%", value * 100)
            case .milliseconds: String(format: value < 10 ? "%.1f ms" : "%.0f ms", value)
            case .number: String(format: "%.3g", value)
            }
        }
    }

    public var rule: String
    public var measured: Double?
    public var threshold: Double
    public var unit: Unit
    public var verdict: Verdict

    public init(rule: String, measured: Double?, threshold: Double, unit: Unit, verdict: Verdict) {
        self.rule = rule
        self.measured = measured
        self.threshold = threshold
        self.unit = unit
        self.verdict = verdict
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rule = try c.decode(String.self, forKey: .rule)
        measured = try c.decodeIfPresent(Double.self, forKey: .measured)
        threshold = try c.decode(Double.self, forKey: .threshold)
        // A server from before units were sent: show plain numbers rather than guess a unit.
        unit = try c.decodeIfPresent(Unit.self, forKey: .unit) ?? .number
        verdict = try c.decode(Verdict.self, forKey: .verdict)
    }
}

/// A rollout as stored and shown.
public struct RolloutStatus: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        case progressing, paused, promoted, aborted, rolledBack

        public var isFinished: Bool { self == .promoted || self == .aborted || self == .rolledBack }
    }

    public var endpoint: String
    public var stable: SemVer
    public var candidate: SemVer
    public var plan: RolloutPlan
    public var state: State
    /// Index into `plan.steps` of the step being held.
    public var stepIndex: Int
    public var stepStartedAt: Date
    public var startedAt: Date
    public var updatedAt: Date
    public var startedBy: String
    /// The latest analysis, one entry per rule.
    public var checks: [RuleCheck]
    /// Why it ended or paused, e.g. "error rate 31.0% > 5.0%".
    public var reason: String?

    public init(endpoint: String, stable: SemVer, candidate: SemVer, plan: RolloutPlan, state: State, stepIndex: Int,
                stepStartedAt: Date, startedAt: Date, updatedAt: Date, startedBy: String, checks: [RuleCheck] = [],
                reason: String? = nil) {
        self.endpoint = endpoint
        self.stable = stable
        self.candidate = candidate
        self.plan = plan
        self.state = state
        self.stepIndex = stepIndex
        self.stepStartedAt = stepStartedAt
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.startedBy = startedBy
        self.checks = checks
        self.reason = reason
    }

    /// The candidate's weight at the current step.
    public var candidateWeight: Int { plan.steps.indices.contains(stepIndex) ? plan.steps[stepIndex] : 0 }

    /// Whether the candidate is being shadowed: a running rollout at a step of weight 0.
    public var shadowsCandidate: Bool { !state.isFinished && candidateWeight == 0 }

    /// When the current step ends, if the rollout is moving.
    public var nextStepAt: Date? {
        state == .progressing ? stepStartedAt.addingTimeInterval(plan.intervalSeconds) : nil
    }
}

/// `POST /api/v1/endpoints/{endpoint}/rollout`.
public struct RolloutStart: Sendable, Codable, Equatable {
    public var candidate: SemVer
    public var plan: RolloutPlan
    public var reason: String

    public init(candidate: SemVer, plan: RolloutPlan, reason: String) {
        self.candidate = candidate
        self.plan = plan
        self.reason = reason
    }
}

/// `POST /api/v1/endpoints/{endpoint}/rollout/{action}`.
public enum RolloutCommand: String, Sendable, Codable, CaseIterable {
    case promote, pause, resume, abort
}

public struct ReasonBody: Sendable, Codable, Equatable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}
