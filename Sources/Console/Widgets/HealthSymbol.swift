import NightjarCore

/// Health is always shown by symbol and role both, so nothing is lost without colour.
enum HealthSymbol {
    static func of(_ row: AppState.WorkerRow) -> (symbol: String, role: Role, word: String) {
        guard let health = row.health else { return ("✖", .lost, "lost") }
        return of(health)
    }

    static func of(_ verdict: HealthVerdict) -> (symbol: String, role: Role, word: String) {
        switch verdict {
        case .ok: ("●", .ok, "ok")
        case .warn: ("▲", .warn, "warn")
        case .critical: ("✖", .critical, "critical")
        case .idle: ("○", .idle, "idle")
        }
    }

    static func of(_ verdict: RuleCheck.Verdict) -> (symbol: String, role: Role, word: String) {
        switch verdict {
        case .passing: ("●", .ok, "passing")
        case .failing: ("✖", .critical, "FAILING")
        case .notEnoughData: ("○", .idle, "not enough data")
        }
    }

    /// "not enough data" keeps its own symbol and word: too little traffic is not a clean bill.
    static func of(_ verdict: DriftVerdict) -> (symbol: String, role: Role, word: String) {
        switch verdict {
        case .ok: ("●", .ok, "ok")
        case .warn: ("▲", .warn, "warn")
        case .drift: ("✖", .critical, "drift")
        case .notEnoughData: ("○", .idle, "not enough data")
        }
    }
}
