/// Every key of every view, as `?` lists them. The reducer and this table are kept in step by
/// tests that press each listed key.
public enum Keymap {
    public struct Entry: Sendable, Equatable {
        public var keys: String
        public var does: String
        /// Changes the control plane: hidden and refused with `--read-only`.
        public var mutates: Bool

        init(_ keys: String, _ does: String, mutates: Bool = false) {
            self.keys = keys
            self.does = does
            self.mutates = mutates
        }
    }

    static let mutations = [
        Entry("R", "rollback: all traffic to the stable version (confirm with Enter)", mutates: true),
        Entry("P", "promote the running rollout's candidate to 100%", mutates: true),
        Entry("H", "hold (pause) the running rollout", mutates: true),
        Entry("U", "unpause (resume) the rollout", mutates: true),
        Entry("X", "abort the rollout: traffic back to stable", mutates: true),
    ]

    static let common = [
        Entry(":", "commands: overview workers models events endpoint|drift NAME"),
        Entry("/", "filter the list (Enter keeps it, Esc clears)"),
        Entry("a", "acknowledge the alert banner"),
        Entry("r", "refresh now"),
        Entry("Esc", "back / clear filter / close"),
        Entry("?", "this help"),
    ]

    public static func entries(for view: ConsoleView, readOnly: Bool) -> [Entry] {
        var list: [Entry]
        switch view {
        case .overview:
            list = [
                Entry("↑ ↓  j k", "select an endpoint (worst first)"),
                Entry("g G", "first / last"),
                Entry("Enter l →", "open the endpoint"),
                Entry("Tab", "switch between Endpoints and Workers"),
            ] + mutations + [Entry("q", "quit")]
        case .endpoint:
            list = [
                Entry("← → h l j k", "select a version"),
                Entry("+ -", "shift 5% of traffic to / from the selected version", mutates: true),
                Entry("0-9", "type the selected version's weight", mutates: true),
                Entry("Tab", "switch between Versions and Events"),
                Entry("y Y", "copy the selected / all shown events"),
                Entry("s", "spot check: type features, run the versions carrying traffic locally"),
                Entry("d", "drift: live inputs and outputs against the reference, per version"),
            ] + mutations + [Entry("q", "back to the overview")]
        case .drift:
            list = [
                Entry("↑ ↓  j k", "select a column (worst first)"),
                Entry("g G", "first / last column"),
                Entry("← → h l Tab", "the other version's table, on the same column"),
                Entry("Enter", "enlarge the column: reference and live per bin (again: back)"),
            ] + mutations + [Entry("q", "close the enlarged column, else back to the endpoint")]
        case .workers, .models:
            list = [
                Entry("↑ ↓  j k", "move the selection"),
                Entry("g G", "first / last"),
                Entry("q", "back to the overview"),
            ]
        case .events:
            list = [
                Entry("↑ ↓  j k", "move the selection (newest first)"),
                Entry("g G", "newest / oldest"),
                Entry("y", "copy the selected event (terminal clipboard and clipboard.txt)"),
                Entry("Y", "copy every shown event"),
                Entry("q", "back to the overview"),
            ]
        case .spotCheck:
            return [
                Entry("↑ ↓  Tab", "move between fields"),
                Entry("0-9 . - e", "type the value (every printable key is input here)"),
                Entry("Enter", "run both versions in the local engine"),
                Entry("Esc", "back to the endpoint"),
            ]
        }
        list += common
        return readOnly ? list.filter { !$0.mutates } : list
    }

    /// In dialogs: what the bottom of the dialog says.
    static let trafficHint = "+ - shift 5%  0-9 type weight  ↑↓ version  Tab reason  Enter apply  Esc cancel"
    static let confirmHint = "type a reason  Enter confirm  Esc cancel"
}
