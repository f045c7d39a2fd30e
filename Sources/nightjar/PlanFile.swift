import Foundation
import NightjarCore
import TOMLKit

/// A rollout plan as the CLI assembles it: from a TOML plan file, then from any flags given, which
/// win. Keys are the long flag names, so a file and a command line read alike.
struct PlanSpec: Equatable {
    var strategy = RolloutPlan.Strategy.canary
    var steps: [Int]?
    var increment: Int?
    var intervalSeconds = 60.0
    var mirror = 100
    var rules = AnalysisRules()

    static let defaultSteps = [5, 10, 25, 50, 100]
    static let defaultIncrement = 10

    /// The plan to send, checked as the server will check it.
    func plan() throws -> RolloutPlan {
        let plan: RolloutPlan
        switch strategy {
        case .canary:
            plan = RolloutPlan(strategy: .canary, steps: steps ?? Self.defaultSteps, intervalSeconds: intervalSeconds, rules: rules)
        case .linear:
            plan = try RolloutPlan.linear(increment: increment ?? Self.defaultIncrement, intervalSeconds: intervalSeconds, rules: rules)
        case .blueGreen, .shadowOnly:
            plan = try RolloutPlan.shadowing(strategy, intervalSeconds: intervalSeconds, mirrorPercent: mirror, rules: rules)
        }
        try plan.validate()
        return plan
    }
}

/// Reads `PlanSpec`s from TOML. Every error names the file, the line and the key:
/// `plan.toml, line 3, steps: [10, 50] must end at 100, ...`.
struct PlanFile {
    let name: String
    let text: String

    static let topKeys = ["strategy", "steps", "increment", "interval", "mirror"]
    static let ruleKeys = [
        "max-error-rate", "max-error-rate-increase", "max-p99-ms", "max-p99-ratio", "latency-slack-ms", "min-requests",
        "fail-on-drift", "min-shadow-agreement", "max-shadow-score-difference", "min-shadow-comparisons",
    ]

    static func read(_ path: String) throws -> PlanSpec {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandFailure("--plan-file: cannot read \(path): \(error.localizedDescription)")
        }
        return try PlanFile(name: (path as NSString).lastPathComponent, text: text).spec()
    }

    func spec() throws -> PlanSpec {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw CommandFailure("\(name), line \(error.source.begin.line), column \(error.source.begin.column): not valid TOML: \(error.description)")
        }
        var spec = PlanSpec()
        for (key, value) in table {
            switch key {
            case "strategy":
                guard let text = value.string, let strategy = RolloutPlan.Strategy(rawValue: text) else {
                    throw failure(key, "'\(value.string ?? value.debugDescription)' is not a strategy; use "
                        + RolloutPlan.Strategy.allCases.map(\.rawValue).joined(separator: ", "))
                }
                spec.strategy = strategy
            case "steps":
                guard let array = value.array, let steps = Optional(array.compactMap(\.int)), steps.count == array.count else {
                    throw failure(key, "\(value.debugDescription) is not a list of whole percents such as [5, 25, 100]")
                }
                spec.steps = steps
            case "increment":
                spec.increment = try int(key, value)
            case "interval":
                if let text = value.string {
                    do { spec.intervalSeconds = try DurationText.seconds(text) } catch { throw failure(key, "\(error)") }
                } else {
                    spec.intervalSeconds = try number(key, value)
                }
            case "mirror":
                spec.mirror = try int(key, value)
            case "rules":
                guard let rules = value.table else { throw failure(key, "must be a table: [rules]") }
                spec.rules = try self.rules(rules)
            default:
                throw failure(key, "unknown key; a plan has \((Self.topKeys + ["[rules]"]).joined(separator: ", "))")
            }
        }
        // Mixing up what a strategy uses is a mistake worth naming, not a silent no-op.
        if table["steps"] != nil, spec.strategy != .canary {
            throw failure("steps", "only canary plans have steps; \(spec.strategy.rawValue) plans do not")
        }
        if table["increment"] != nil, spec.strategy != .linear {
            throw failure("increment", "only linear plans have an increment")
        }
        if table["mirror"] != nil, spec.strategy.fixedSteps == nil {
            throw failure("mirror", "only blue-green and shadow-only plans mirror requests")
        }
        do {
            _ = try spec.plan()
        } catch let error as NightjarError {
            // "mirrorPercent: 0 is out of range" is about the file's `mirror` key.
            let field = error.field
            let message = field.map { String(error.description.dropFirst($0.count + 2)) } ?? error.description
            throw failure(field.map(Self.fileKey) ?? "strategy", message)
        }
        return spec
    }

    private func rules(_ table: TOMLTable) throws -> AnalysisRules {
        var rules = AnalysisRules()
        for (key, value) in table {
            let path = "rules.\(key)"
            switch key {
            case "max-error-rate": rules.maxErrorRate = try number(path, value)
            case "max-error-rate-increase": rules.maxErrorRateIncrease = try number(path, value)
            case "max-p99-ms": rules.maxP99Ms = try number(path, value)
            case "max-p99-ratio": rules.maxP99Ratio = try number(path, value)
            case "latency-slack-ms": rules.latencySlackMs = try number(path, value)
            case "min-requests": rules.minimumRequests = try int(path, value)
            case "fail-on-drift":
                guard let flag = value.bool else { throw failure(path, "must be true or false") }
                rules.failOnDrift = flag
            case "min-shadow-agreement": rules.minShadowAgreement = try number(path, value)
            case "max-shadow-score-difference": rules.maxShadowScoreDifference = try number(path, value)
            case "min-shadow-comparisons": rules.minimumShadowComparisons = try int(path, value)
            default:
                throw failure(path, "unknown rule; rules are \(Self.ruleKeys.joined(separator: ", "))")
            }
        }
        return rules
    }

    private func number(_ key: String, _ value: any TOMLValueConvertible) throws -> Double {
        guard let number = value.double ?? value.int.map(Double.init) else {
            throw failure(key, "\(value.debugDescription) is not a number")
        }
        guard number.isFinite else { throw failure(key, "\(number) is not a finite number") }
        return number
    }

    private func int(_ key: String, _ value: any TOMLValueConvertible) throws -> Int {
        guard let number = value.int else { throw failure(key, "\(value.debugDescription) is not a whole number") }
        return number
    }

    /// The plan's field names, as validation reports them, to the file's keys.
    static func fileKey(_ field: String) -> String {
        switch field {
        case "mirrorPercent": "mirror"
        case "rules": "rules"
        default: field
        }
    }

    /// "plan.toml, line 4, steps: ..." — the line where `key` (`rules.max-p99-ms` for a rule) is set.
    func failure(_ key: String, _ message: String) -> CommandFailure {
        let prefix = message.hasPrefix("\(key): ") ? "" : "\(key): "
        guard let line = line(of: key) else { return CommandFailure("\(name), \(prefix)\(message)") }
        return CommandFailure("\(name), line \(line), \(prefix)\(message)")
    }

    /// TOMLKit keeps no positions for values, so the line is found in the text: the first
    /// `key =` in the key's table (`[rules]` for rules, before any table header otherwise).
    func line(of key: String) -> Int? {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        let (section, name) = parts.count == 2 ? (parts[0], parts[1]) : (nil, parts[0])
        var current: String?
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                current = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] \t"))
                if section == nil, current == name { return i + 1 }
                continue
            }
            guard current == section, line.hasPrefix(name) else { continue }
            let rest = line.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
            if rest.hasPrefix("=") { return i + 1 }
        }
        return nil
    }
}
