import Drift
import Foundation
import NightjarCore

/// Reference profiles travel and are stored as JSON; every store checks one decodes before keeping
/// it, so a worker never finds a profile it cannot read.
public enum ReferenceProfileJSON {
    public static func validate(_ data: Data) throws {
        do {
            _ = try JSONDecoder().decode(ReferenceProfile.self, from: data)
        } catch {
            throw NightjarError.invalidArgument("the reference profile is not valid: \(error)")
        }
    }
}
