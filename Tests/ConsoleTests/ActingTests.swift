import Foundation
import NightjarCore
import Testing
@testable import Console

/// Changing the control plane: every change names what will happen, asks why, waits for Enter,
/// and reports the answer; Esc and --read-only change nothing.
@Suite struct ActingTests {
    /// The overview with fraud selected, and the endpoint view of fraud.
    static func atFraud() -> AppState {
        var state = Fixtures.loadedState()
        press(&state, .enter)
        return state
    }

    @Test func rollbackConfirmationNamesExactlyWhatHappens() throws {
        var state = Fixtures.loadedState()
        #expect(press(&state, .character("R")).isEmpty)
        guard case .confirm(let confirmation)? = state.dialog else {
            Issue.record("R did not open a confirmation: \(String(describing: state.status))")
            return
        }
        #expect(confirmation.summary == "fraud: 1.1.0 20% → 0%, 1.0.0 80% → 100%")
        #expect(confirmation.mutation == .rollback(endpoint: "fraud", to: Fixtures.v100, revision: 7))
        // The failing rule that raised the alert is why the operator is rolling back.
        #expect(confirmation.reason.hasPrefix("rollout rule failing: fraud 1.1.0"))
        let effects = press(&state, .enter)
        #expect(effects == [.mutate(.rollback(endpoint: "fraud", to: Fixtures.v100, revision: 7), reason: confirmation.reason)])
        #expect(state.dialog == nil)
        #expect(state.status?.text.hasPrefix("sending… fraud: 1.1.0 20% → 0%") == true)
    }

    /// The rollback is made against the split the confirmation showed: when someone else changes it
    /// while the dialog is open, the request still names that revision, so the server refuses it,
    /// and the refusal says so and refreshes the screen to decide again.
    @Test func rollbackNamesTheRevisionItWasConfirmedAgainst() {
        var state = Self.atFraud()
        press(&state, .character("R"))
        guard case .confirm(let confirmation)? = state.dialog else { Issue.record("R opened nothing"); return }
        #expect(confirmation.mutation == .rollback(endpoint: "fraud", to: Fixtures.v100, revision: 7))
        // Meanwhile, from another shell: revision 8.
        var changed = Fixtures.fraud(rollout: nil, weights: (90, 10))
        changed.deployment.revision = 8
        _ = reduce(&state, .endpointsLoaded(.success([Fixtures.churn, changed, Fixtures.search])))
        let effects = press(&state, .enter)
        #expect(effects == [.mutate(.rollback(endpoint: "fraud", to: Fixtures.v100, revision: 7), reason: confirmation.reason)])
        let refused = reduce(&state, .mutated(.rollback(endpoint: "fraud", to: Fixtures.v100, revision: 7),
                                              .failure(FetchFailure("someone changed fraud meanwhile (fraud changed since you looked: "
                                                                    + "you edited revision 7, it is now revision 8"))))
        #expect(state.status?.isError == true)
        #expect(state.status?.text.hasPrefix("✖ rollback of fraud refused: someone changed fraud meanwhile") == true)
        #expect(refused.contains(.fetchEndpoints))
    }

    @Test func rollbackReasonIsEditableAndEmptyWithoutACurrentAlert() {
        var state = Fixtures.loadedState()
        state.alerts = []
        press(&state, .character("R"))
        guard case .confirm(let confirmation)? = state.dialog else { Issue.record("no dialog"); return }
        #expect(confirmation.reason == "")
        type(&state, "manual pager 42 q")  // q is text here, not quit
        #expect(!state.shouldQuit)
        let effects = press(&state, .enter)
        #expect(effects == [.mutate(.rollback(endpoint: "fraud", to: Fixtures.v100, revision: 7), reason: "manual pager 42 q")])
    }

    /// What R and + prefill: the cause of a current alert about this endpoint, never an old alert's
    /// text. An earlier automatic rollback, or a rule that has since recovered, leaves the field empty;
    /// and a rollback's own alert (whose text quotes the reason given) never feeds the next reason.
    @Test func reasonIsPrefilledOnlyFromACurrentAlertAboutThisEndpoint() {
        var state = Self.atFraud()
        let failing = "rollout rule failing: fraud 1.1.0 error rate vs stable 6.8% (limit 2.7%)"
        func prefilled(_ key: Key) -> String? {
            press(&state, key)
            defer { press(&state, .escape) }
            switch state.dialog {
            case .confirm(let c)?: return c.reason
            case .traffic(let d)?: return d.reason
            case nil: return nil
            }
        }
        #expect(prefilled(.character("R")) == failing)
        #expect(prefilled(.character("+")) == failing)

        // The operator rolls back with that reason; its event raises an alert quoting it.
        _ = reduce(&state, .eventsLoaded(.success([Fixtures.event(
            5, .rollback, secondsAgo: 1, actor: "admin", "fraud: rolled back to 1.0.0: 1.1.0 20% → 0%, 1.0.0 80% → 100% — \(failing)")])))
        #expect(state.alerts.last?.text.contains("(by admin)") == true)
        #expect(prefilled(.character("R")) == failing)
        #expect(prefilled(.character("+")) == failing)

        // The rollout was rolled back automatically and its rules no longer run: the old alerts stay
        // on screen until acknowledged, but are no reason for the next change.
        var endpoints = Fixtures.endpoints
        endpoints[1] = Fixtures.fraud(rollout: Fixtures.rollout(state: .rolledBack), weights: (100, 0))
        _ = reduce(&state, .endpointsLoaded(.success(endpoints)))
        _ = reduce(&state, .eventsLoaded(.success([Fixtures.event(
            6, .rolloutRolledBack, secondsAgo: 1, actor: "nightjar-rollout", "fraud: rolled back 1.1.0 automatically — error rate 6.8% > 5%")])))
        #expect(state.alerts.contains { $0.text.hasPrefix("rollout rule failing: fraud") })
        #expect(prefilled(.character("+")) == "")
        _ = reduce(&state, .endpointsLoaded(.success(Fixtures.endpoints)))
        #expect(prefilled(.character("R")) == failing)
        endpoints[1] = Fixtures.fraud(rollout: Fixtures.rollout(failing: false))
        _ = reduce(&state, .endpointsLoaded(.success(endpoints)))
        #expect(prefilled(.character("R")) == "")
        #expect(prefilled(.character("X")) == "")
    }

    /// P and U start with an empty reason, like R, H and X without a current failing rule: no
    /// placeholder ("manual promote") reaches the audit log, and a failing rule is no reason to move
    /// a rollout forward. Enter with the field empty is refused until one is typed.
    @Test func promoteAndResumeStartWithAnEmptyReason() {
        var state = Self.atFraud()
        #expect(state.failingRules.isEmpty == false)
        press(&state, .character("P"))
        guard case .confirm(let promote)? = state.dialog else { Issue.record("P opened nothing"); return }
        #expect(promote.reason == "")
        #expect(press(&state, .enter).isEmpty)
        #expect(state.status?.text == "a reason is required: type one, then Enter")
        press(&state, .escape)

        var endpoints = Fixtures.endpoints
        endpoints[1] = Fixtures.fraud(rollout: Fixtures.rollout(state: .paused, failing: false))
        _ = reduce(&state, .endpointsLoaded(.success(endpoints)))
        press(&state, .character("U"))
        guard case .confirm(let resume)? = state.dialog else { Issue.record("U opened nothing"); return }
        #expect(resume.reason == "")
        type(&state, "fix deployed")
        #expect(press(&state, .enter) == [.mutate(.rollout(endpoint: "fraud", command: .resume), reason: "fix deployed")])
    }

    /// Text fields never take control characters: Ctrl-U clears the field as in a shell, others
    /// (Ctrl-A, Ctrl-L, a stray ESC byte) are dropped, so none reaches the audit log.
    @Test func textFieldsTakeNoControlCharacters() {
        let ctrlU = Key.character("\u{15}")
        let others: [Key] = [.character("\u{1}"), .character("\u{C}"), .character("\u{1B}"), .character("\u{7F}")]
        var state = Self.atFraud()
        press(&state, .character("R"))
        press(&state, ctrlU)
        type(&state, "page")
        for key in others { press(&state, key) }
        type(&state, " 42")
        guard case .confirm(let confirmation)? = state.dialog else { Issue.record("no dialog"); return }
        #expect(confirmation.reason == "page 42")
        #expect(press(&state, .enter) == [.mutate(.rollback(endpoint: "fraud", to: Fixtures.v100, revision: 7), reason: "page 42")])

        press(&state, .character("+"), .tab, ctrlU)
        type(&state, "shift")
        for key in others { press(&state, key) }
        guard case .traffic(let draft)? = state.dialog else { Issue.record("no traffic dialog"); return }
        #expect(draft.reason == "shift")
        press(&state, .escape)

        press(&state, .character(":"))
        type(&state, "workers")
        press(&state, ctrlU)
        type(&state, "event")
        for key in others { press(&state, key) }
        type(&state, "s")
        #expect(state.prompt?.text == "events")
        press(&state, .escape)

        press(&state, .character("s"))
        _ = reduce(&state, .spotSchemaLoaded(ModelRef(name: "fraud", version: Fixtures.v100), .success(FeatureSchema(
            inputs: [TensorSpec(name: "x", datatype: .fp32, shape: [1])], outputs: []))))
        type(&state, "12")
        press(&state, ctrlU)
        type(&state, "0.5")
        for key in others { press(&state, key) }
        #expect(state.spotCheck?.fields.first?.text == "0.5")
    }

    @Test func emptyReasonIsRefused() {
        var state = Fixtures.loadedState()
        state.alerts = []
        press(&state, .character("R"))
        for _ in 0..<20 { press(&state, .backspace) }
        #expect(press(&state, .enter).isEmpty)
        #expect(state.dialog != nil)
        #expect(state.status?.text.contains("a reason is required") == true)
    }

    @Test func escapeCancelsWithoutEffects() {
        var state = Fixtures.loadedState()
        press(&state, .character("R"))
        #expect(press(&state, .escape).isEmpty)
        #expect(state.dialog == nil)
        #expect(state.status?.text == "cancelled: nothing changed")
    }

    @Test func rollbackOfAnEndpointOnOneVersionSaysThereIsNothingToDo() {
        var state = Fixtures.loadedState()
        press(&state, .down, .character("R"))  // churn: 2.0.0 100%
        #expect(state.dialog == nil)
        #expect(state.status == AppState.Status(text: "churn already sends 100% to 2.0.0: nothing to roll back", isError: true))
    }

    @Test func rolloutCommandsConfirmAndSend() {
        let cases: [(Character, RolloutCommand, String)] = [
            ("P", .promote, "fraud: promote 1.1.0 now, skipping the remaining steps — 1.0.0 80% → 0%, 1.1.0 20% → 100%"),
            ("H", .pause, "fraud: pause the rollout of 1.1.0 at step 2/4 (20%); traffic stays 1.0.0 80% · 1.1.0 20%"),
            ("X", .abort, "fraud: abort the rollout of 1.1.0 — 1.1.0 20% → 0%, 1.0.0 80% → 100%"),
        ]
        for (key, command, summary) in cases {
            var state = Self.atFraud()
            press(&state, .character(key))
            guard case .confirm(let confirmation)? = state.dialog else { Issue.record("\(key) opened nothing"); continue }
            #expect(confirmation.summary == summary)
            // P starts empty (promoteAndResumeStartWithAnEmptyReason); H and X carry the failing rule.
            let reason = confirmation.reason.isEmpty ? "page 42" : confirmation.reason
            if confirmation.reason.isEmpty { type(&state, reason) }
            let effects = press(&state, .enter)
            #expect(effects == [.mutate(.rollout(endpoint: "fraud", command: command), reason: reason)])
        }
    }

    @Test func resumeOnlyAPausedRollout() {
        var state = Self.atFraud()
        press(&state, .character("U"))
        #expect(state.dialog == nil)
        #expect(state.status?.text == "the fraud rollout is progressing, not paused: nothing to resume")
        var endpoints = Fixtures.endpoints
        endpoints[1] = Fixtures.fraud(rollout: Fixtures.rollout(state: .paused))
        _ = reduce(&state, .endpointsLoaded(.success(endpoints)))
        press(&state, .character("U"))
        guard case .confirm(let confirmation)? = state.dialog else { Issue.record("U opened nothing"); return }
        #expect(confirmation.summary == "fraud: resume the rollout of 1.1.0 from step 2/4 (20%)")
        press(&state, .escape, .character("H"))
        #expect(state.status?.text == "the fraud rollout is paused, not progressing: nothing to pause")
    }

    @Test func rolloutKeysWithoutARolloutSaySo() {
        var state = Fixtures.loadedState()
        press(&state, .down)  // churn
        for key: Character in ["P", "H", "U", "X"] {
            press(&state, .character(key))
            #expect(state.dialog == nil)
            #expect(state.status?.text.hasPrefix("churn has no running rollout") == true)
        }
    }

    @Test func plusShiftsFiveOnTheSelectedVersionShowingBeforeAndAfter() {
        var state = Self.atFraud()
        press(&state, .right, .character("+"))
        guard case .traffic(let draft)? = state.dialog else { Issue.record("+ opened nothing"); return }
        #expect(draft.after == [TrafficWeight(version: Fixtures.v100, weight: 75), TrafficWeight(version: Fixtures.v110, weight: 25)])
        #expect(draft.before == Fixtures.fraud().deployment.weights)
        press(&state, .character("-"), .character("-"))
        guard case .traffic(let after)? = state.dialog else { Issue.record("dialog closed"); return }
        #expect(after.changeDescription == "1.1.0 20% → 15%, 1.0.0 80% → 85%")
        let text = Screen.render(state).text()
        #expect(text.contains("1.1.0 20% → 15%, 1.0.0 80% → 85%"))
        let effects = press(&state, .enter)
        #expect(effects == [.mutate(.setTraffic(endpoint: "fraud", weights: after.after, revision: 7), reason: "rollout rule failing: fraud 1.1.0 error rate vs stable 6.8% (limit 2.7%)")])
    }

    @Test func typedWeightAndReasonField() {
        var state = Self.atFraud()
        press(&state, .right)
        type(&state, "0")
        guard case .traffic(let draft)? = state.dialog else { Issue.record("digit opened nothing"); return }
        #expect(draft.after.map(\.weight) == [100, 0])
        type(&state, "50")  // "050" → 50
        press(&state, .tab)
        for _ in 0..<80 { press(&state, .backspace) }
        type(&state, "halve canary +-")
        guard case .traffic(let typed)? = state.dialog else { Issue.record("dialog closed"); return }
        #expect(typed.after.map(\.weight) == [50, 50])
        #expect(typed.reason == "halve canary +-")
        #expect(press(&state, .enter) == [.mutate(.setTraffic(endpoint: "fraud", weights: typed.after, revision: 7), reason: "halve canary +-")])
    }

    /// Typing 150 is a typo, not a request for 100%: the third digit is refused with a message and
    /// the weight stays at what was typed before it.
    @Test func aTypedWeightOver100IsRefusedNotClamped() {
        var state = Self.atFraud()
        press(&state, .right)
        type(&state, "150")
        guard case .traffic(let draft)? = state.dialog else { Issue.record("digit opened nothing"); return }
        #expect(draft.after.map(\.weight) == [85, 15])
        #expect(state.status == AppState.Status(text: "weight 150% is more than 100%: type 0 to 100 (Backspace corrects)", isError: true))
        #expect(Screen.render(state).text().contains("weight 150% is more than 100%"))
        press(&state, .backspace)
        type(&state, "00")
        guard case .traffic(let corrected)? = state.dialog else { Issue.record("dialog closed"); return }
        #expect(corrected.after.map(\.weight) == [0, 100])
        #expect(state.status == nil)
    }

    @Test func weightsAreClampedAndAlwaysAddUpTo100() {
        var draft = TrafficDraft(endpoint: "e", revision: 1, weights: [
            TrafficWeight(version: SemVer(1, 0, 0), weight: 60), TrafficWeight(version: SemVer(1, 1, 0), weight: 30),
            TrafficWeight(version: SemVer(1, 2, 0), weight: 10),
        ], selected: 2, reason: "r")
        draft.setSelectedWeight(250)
        #expect(draft.after.map(\.weight) == [0, 0, 100])
        draft.setSelectedWeight(-3)
        #expect(draft.after.map(\.weight) == [100, 0, 0])
        draft.selected = 1
        draft.adjust(by: 5)
        #expect(draft.after.map(\.weight) == [95, 5, 0])
        #expect(draft.after.reduce(0) { $0 + $1.weight } == 100)
    }

    @Test func unchangedSplitIsNotSent() {
        var state = Self.atFraud()
        press(&state, .character("+"), .character("-"))
        #expect(press(&state, .enter).isEmpty)
        #expect(state.status?.text.hasPrefix("no change to apply") == true)
        press(&state, .escape)
        #expect(state.dialog == nil && state.status?.text == "cancelled: traffic unchanged")
    }

    @Test func singleVersionEndpointCannotShift() {
        var state = Fixtures.loadedState()
        press(&state, .down, .enter, .character("+"))
        #expect(state.dialog == nil)
        #expect(state.status?.text == "churn has one version: nothing to shift traffic to")
    }

    @Test func readOnlyRefusesEveryMutation() {
        var state = Fixtures.loadedState(options: AppState.Options(readOnly: true))
        for key: Character in ["R", "P", "H", "U", "X"] {
            #expect(press(&state, .character(key)).isEmpty)
            #expect(state.dialog == nil)
            #expect(state.status?.text == "read-only console (--read-only): changes are disabled")
        }
        press(&state, .enter)
        for key: Character in ["+", "-", "5"] {
            #expect(press(&state, .character(key)).isEmpty)
            #expect(state.dialog == nil)
        }
        let text = Screen.render(state).text()
        #expect(!text.contains("R rollback") && !text.contains("+ - shift"))
        #expect(text.contains("READ-ONLY"))
    }

    @Test func resultsAndServerErrorsShowInTheStatusLineAndRefresh() {
        var state = Fixtures.loadedState()
        press(&state, .character("R"), .enter)
        #expect(state.inFlight == 1)
        #expect(Screen.render(state).text().contains("sending…"))
        let mutation = Mutation.rollback(endpoint: "fraud", to: Fixtures.v100, revision: 7)
        let effects = reduce(&state, .mutated(mutation, .success("fraud now 1.0.0 100% · 1.1.0 0% (revision 8)")))
        #expect(state.inFlight == 0)
        #expect(state.status == AppState.Status(text: "✔ rollback of fraud: fraud now 1.0.0 100% · 1.1.0 0% (revision 8)", isError: false))
        #expect(effects.contains(.fetchEndpoints))
        _ = reduce(&state, .mutated(.setTraffic(endpoint: "fraud", weights: [], revision: 7),
                                    .failure(FetchFailure("someone changed fraud meanwhile (revision is 9, not 7)"))))
        #expect(state.status?.isError == true)
        #expect(state.status?.text == "✖ traffic change on fraud refused: someone changed fraud meanwhile (revision is 9, not 7)")
        #expect(Screen.render(state).text().contains("refused: someone changed fraud"))
    }
}
