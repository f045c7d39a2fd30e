import Drift
import Foundation
import NightjarCore

/// Reference profiles travel and are stored as JSON; every store checks one decodes before keeping
/// it, so a worker never finds a profile it cannot read.
public enum ReferenceProfileJSON {
    /// Strict, like every control-plane body: an unknown key is refused naming its path, not dropped.
    public static func validate(_ data: Data) throws {
        do {
            _ = try StrictJSON.decode(ReferenceProfile.self, from: data, using: JSONDecoder())
        } catch let error as NightjarError {
            throw NightjarError.invalidArgument("the reference profile is not valid: \(error.description)")
        } catch let error as DecodingError {
            let problem = error.fieldPath.map { "\($0) \(error.readableProblem)" } ?? error.readableDescription
            throw NightjarError.invalidArgument("the reference profile is not valid: \(problem)")
        } catch {
            throw NightjarError.invalidArgument("the reference profile is not valid: \(error)")
        }
    }
}
