import NightjarCore

/// Health is always shown by symbol and role both, so nothing is lost without colour.
enum HealthSymbol {
    static func of(_ row: AppState.WorkerRow) -> (symbol: String, role: Role, word: String) {
        guard let health = row.health else { return ("✖", .lost, "lost") }
        switch health {
        case .ok: return ("●", .ok, "ok")
        case .warn: return ("▲", .warn, "warn")
        case .critical: return ("✖", .critical, "critical")
        case .idle: return ("○", .idle, "idle")
        }
    }
}
