import Drift
import NightjarCore

/// Judges a candidate against its rules and the stable version, from their live stats: the check a
/// rollout makes every second. Pure: stats in, one `RuleCheck` per rule out.
public enum RolloutAnalysis {
    public static let errorRateRule = "error rate"
    public static let errorRateVersusStableRule = "error rate vs stable"
    public static let p99Rule = "p99 latency"
    public static let p99VersusStableRule = "p99 vs stable"

    public static let driftRule = "drift"

    public static let shadowAgreementRule = "shadow agreement"
    public static let shadowScoreRule = "shadow score difference"
    public static let shadowErrorRateRule = "shadow error rate"
    public static let shadowP99Rule = "shadow p99 latency"

    /// Judges a shadowed candidate on what mirroring showed: do its labels agree with the primary's,
    /// how far apart are its scores, does it fail or lag. Below the minimum of compared answers
    /// nothing is judged.
    public static func checkShadow(_ rules: AnalysisRules, shadow: ShadowStats?) -> [RuleCheck] {
        let enough = (shadow?.compared ?? 0) >= rules.minimumShadowComparisons
        func judge(_ rule: String, measured: Double?, threshold: Double, unit: RuleCheck.Unit, failsBelow: Bool = false) -> RuleCheck {
            guard enough, let measured else {
                return RuleCheck(rule: rule, measured: nil, threshold: threshold, unit: unit, verdict: .notEnoughData)
            }
            let failing = failsBelow ? measured < threshold : measured > threshold
            return RuleCheck(rule: rule, measured: measured, threshold: threshold, unit: unit, verdict: failing ? .failing : .passing)
        }
        // `mirrored` counts the copies sent (dropped ones are counted apart), so it is the denominator.
        let errorRate = shadow.map { Double($0.shadowErrors) / Double(max(1, $0.mirrored)) }
        return [
            judge(shadowAgreementRule, measured: shadow?.agreementRate, threshold: rules.minShadowAgreement, unit: .fraction, failsBelow: true),
            judge(shadowScoreRule, measured: shadow?.meanAbsoluteDifference, threshold: rules.maxShadowScoreDifference, unit: .number),
            judge(shadowErrorRateRule, measured: errorRate, threshold: rules.maxErrorRate, unit: .fraction),
            judge(shadowP99Rule, measured: shadow?.shadowLatencyMs.p99, threshold: rules.maxP99Ms, unit: .milliseconds),
        ]
    }

    public static func check(_ rules: AnalysisRules, stable: StatsSnapshot?, candidate: StatsSnapshot?,
                             candidateDrift: DriftReport? = nil) -> [RuleCheck] {
        let candidateRequests = candidate.map(requestsInWindow) ?? 0
        let stableRequests = stable.map(requestsInWindow) ?? 0
        let enough = candidateRequests >= rules.minimumRequests
        // Comparisons with stable need stable to have been measured too.
        let stableEnough = enough && stableRequests >= rules.minimumRequests

        func judge(_ rule: String, measured: Double?, threshold: Double, unit: RuleCheck.Unit, when judged: Bool) -> RuleCheck {
            guard judged, let measured else {
                return RuleCheck(rule: rule, measured: enough ? measured : nil, threshold: threshold, unit: unit, verdict: .notEnoughData)
            }
            return RuleCheck(rule: rule, measured: measured, threshold: threshold, unit: unit, verdict: measured > threshold ? .failing : .passing)
        }

        let errorRate = candidate?.errorRate
        let p99 = candidate?.latencyMs.p99
        let stableErrorLimit = (stable?.errorRate ?? 0) + rules.maxErrorRateIncrease
        let stableP99Limit = (stable?.latencyMs.p99 ?? 0) * rules.maxP99Ratio + rules.latencySlackMs
        var checks = [
            judge(errorRateRule, measured: errorRate, threshold: rules.maxErrorRate, unit: .fraction, when: enough),
            judge(errorRateVersusStableRule, measured: errorRate, threshold: stableErrorLimit, unit: .fraction, when: stableEnough),
            judge(p99Rule, measured: p99, threshold: rules.maxP99Ms, unit: .milliseconds, when: enough),
            judge(p99VersusStableRule, measured: p99, threshold: stableP99Limit, unit: .milliseconds, when: stableEnough),
        ]
        if let drift = candidateDrift.map(driftCheck), rules.failOnDrift { checks.append(drift) }
        return checks
    }

    /// The drift rule reads the worker's own verdicts: it names the worst column and its PSI (or
    /// Jensen–Shannon distance for categories), and fails only on a `drift` verdict.
    static func driftCheck(_ report: DriftReport) -> RuleCheck {
        guard let worst = report.columns.first else {
            return RuleCheck(rule: driftRule, measured: nil, threshold: 0, unit: .number, verdict: .notEnoughData)
        }
        let measured = worst.statistics.psi ?? worst.statistics.jensenShannon
        let threshold = worst.statistics.psi != nil ? DriftThresholdsForRules.psiDrift : DriftThresholdsForRules.jensenShannonDrift
        let verdict: RuleCheck.Verdict = switch worst.verdict {
        case .drift: .failing
        case .notEnoughData: .notEnoughData
        case .ok, .warn: .passing
        }
        return RuleCheck(rule: "\(driftRule) \(worst.name)", measured: measured, threshold: threshold, unit: .number, verdict: verdict)
    }

    /// Requests the snapshot's window saw.
    static func requestsInWindow(_ stats: StatsSnapshot) -> Int {
        Int((stats.requestsPerSecond * stats.windowSeconds).rounded())
    }

    /// "error rate 31.0% > 5.0%", "p99 latency 212 ms > 100 ms": how a failing rule is reported.
    public static func describe(_ check: RuleCheck) -> String {
        let format = check.unit.text
        let measured = check.measured.map(format) ?? "—"
        // Agreement fails below its threshold; every other rule above.
        let failsBelow = check.rule == shadowAgreementRule
        let relation = check.verdict == .failing ? (failsBelow ? "<" : ">") : (failsBelow ? "≥" : "≤")
        return "\(check.rule) \(measured) \(relation) \(format(check.threshold))"
    }
}

/// The drift limits the rule reports against: the worker judges with the standard thresholds
/// (`Drift.DriftThresholds.standard`), so the rule names the same numbers.
enum DriftThresholdsForRules {
    static let psiDrift = DriftThresholds.standard.psiDrift
    static let jensenShannonDrift = DriftThresholds.standard.jensenShannonDrift
}
