/// Where the operator is in the drift view: which version's table, which column of it, and whether
/// that column's distributions are shown enlarged. Indexes are into what is shown
/// (`AppState.driftVersions`, `AppState.driftColumns(of:)`), like every other selection.
public struct DriftFocus: Sendable, Equatable {
    public var version = 0
    public var column = 0
    public var enlarged = false

    public init(version: Int = 0, column: Int = 0, enlarged: Bool = false) {
        self.version = version
        self.column = column
        self.enlarged = enlarged
    }
}
