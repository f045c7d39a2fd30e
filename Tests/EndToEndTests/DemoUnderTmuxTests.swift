import Foundation
import NightjarCore
import Testing
import TestSupport

/// Runs the real `nightjar demo` in a real terminal (tmux), the way an operator would, and checks
/// what they would see, what the server did, and that quitting leaves nothing running.
@Suite(.serialized) struct DemoUnderTmuxTests {
    /// The demo's story without a hand on the keyboard: the fraud inputs drift, the canary starts
    /// failing, the banner fires and traffic is back on 1.0.0, on screen and in the server.
    @Test(.timeLimit(.minutes(4)))
    func demoRollsTheFailingCanaryBackOnScreen() async throws {
        let demo = try await DemoUnderTmux.start(name: "story", width: 160, height: 48, arguments: "--rate 60")
        defer { demo.stop() }

        let live = try await demo.waitFor("a request rate on both fraud versions", timeout: 90) { screen in
            screen.contains("fraud@1.0.0") && screen.contains("fraud@1.1.0") && Self.showsTraffic(screen)
        }
        Captures.save("overview-live", live)
        let pids = try demo.workerPIDs()
        #expect(pids.count == 3)
        let client = try demo.client(from: live)

        // The drifted inputs are flagged on the fraud row, by the server and on screen.
        let drifted = try await demo.waitFor("a drift badge on fraud", timeout: 90) { screen in
            ScreenText.lines(screen).contains { $0.contains(" fraud ") && $0.lowercased().contains("drift") }
        }
        Captures.save("overview-drift", drifted)
        let fraudDrift = try await client.endpoint("fraud").versions.compactMap(\.drift)
        #expect(fraudDrift.contains { $0.verdict == .drift }, "the server reports no drift on fraud: \(fraudDrift.map(\.verdict))")

        let banner = try await demo.waitFor("the automatic rollback's banner", timeout: 150) { screen in
            screen.contains("ALERT") && screen.contains("rolled back 1.1.0 automatically")
        }
        Captures.save("overview-rolled-back", banner)

        // The server agrees with the screen: all traffic on 1.0.0, an audit row naming the rule.
        let fraud = try await client.endpoint("fraud")
        #expect(fraud.deployment.weight(of: SemVer(1, 0, 0)) == 100)
        #expect(fraud.rollout?.state == .rolledBack)
        let row = try await client.audit(limit: 100).first { $0.action == "rollout.rolledBack" && $0.subject == "fraud" }
        #expect(row?.reason?.contains("error rate") == true, "audit row: \(String(describing: row))")

        // The endpoint view shows which rule failed, with its measured value against the limit.
        try await demo.command("endpoint fraud")
        let detail = try await demo.waitFor("the failing rule in the endpoint view", timeout: 20) { screen in
            screen.contains("Rollout 1.0.0 → 1.1.0") && screen.contains("FAILING")
        }
        Captures.save("endpoint-rolled-back", detail)

        // Down to 80x24 and back: the frame follows the terminal, nothing is left of the old size.
        await demo.tmux.resize(width: 80, height: 24)
        let small = try await demo.waitFor("the endpoint view redrawn at 80x24", timeout: 15) { screen in
            screen.contains("FAILING") && ScreenText.fits(screen, width: 80) && Self.panelsReachRightEdge(screen, width: 80)
        }
        Captures.save("endpoint-80x24", small)
        await demo.tmux.resize(width: 160, height: 48)
        let restored = try await demo.waitFor("the endpoint view redrawn at 160x48", timeout: 15) { screen in
            screen.contains("FAILING") && Self.panelsReachRightEdge(screen, width: 160)
        }
        #expect(ScreenText.fits(restored, width: 160))

        // q leaves the endpoint, q quits: the shell's screen is back, without a trace of the console.
        await demo.tmux.sendKeys("q")
        _ = try await demo.waitFor("the overview again", timeout: 10) { $0.contains("Overview") }
        await demo.tmux.sendKeys("q")
        let after = try await demo.waitFor("the demo to exit", timeout: 30) { $0.contains(DemoUnderTmux.exitMarker) }
        #expect(after.contains(DemoUnderTmux.exitMarker + "0"), "the demo exited with an error:\n\(after)\n\(demo.stderr)")
        #expect(!ScreenText.hasFrames(after), "the terminal still shows the console after it quit:\n\(after)")
        for pid in pids {
            #expect(kill(pid, 0) != 0, "worker \(pid) survived the demo")
        }
    }

    /// The operator's SSH session drops (here: the tmux session is killed): the console gets SIGHUP,
    /// and the demo must go away with all its workers rather than spin on a terminal that is gone.
    @Test(.timeLimit(.minutes(3)))
    func demoEndsWithItsTerminal() async throws {
        let demo = try await DemoUnderTmux.start(name: "hup", width: 120, height: 40)
        defer { demo.stop() }
        _ = try await demo.waitFor("the risk worker", timeout: 90) { $0.contains("risk@2.3.0") }
        let pids = try demo.workerPIDs()
        #expect(pids.count == 3)
        demo.tmux.kill()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, pids.contains(where: { kill($0, 0) == 0 }) {
            try await Task.sleep(for: .milliseconds(200))
        }
        for pid in pids {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "gone"
            #expect(kill(pid, 0) != 0, "worker \(pid) survived its terminal: \(stat)")
        }
    }

    /// `make run` a second time, in the same NIGHTJAR_HOME, starts the demo again from scratch; a
    /// demo started while another runs there is refused, naming the lock, and the running one is untouched.
    @Test(.timeLimit(.minutes(4)))
    func theDemoStartsAgainInTheSameHomeButNotTwiceAtOnce() async throws {
        let first = try await DemoUnderTmux.start(name: "first", width: 120, height: 40)
        defer { first.tmux.kill() }
        _ = try await first.waitFor("the first demo's workers", timeout: 90) { $0.contains("risk@2.3.0") }
        await first.tmux.sendKeys("q")
        let ended = try await first.waitFor("the first demo to exit", timeout: 30) { $0.contains(DemoUnderTmux.exitMarker) }
        #expect(ended.contains(DemoUnderTmux.exitMarker + "0"), "the first demo exited with an error:\n\(first.stderr)")

        let second = try await DemoUnderTmux.start(name: "second", width: 120, height: 40, home: first.home)
        defer { second.stop() }
        let live = try await second.waitFor("the second demo's workers", timeout: 90) { screen in
            screen.contains("risk@2.3.0") || screen.contains(DemoUnderTmux.exitMarker)
        }
        #expect(!live.contains(DemoUnderTmux.exitMarker), "the second demo in the same home exited:\n\(live)\n\(second.stderr)")
        let pids = try second.workerPIDs()

        var environment = ProcessInfo.processInfo.environment
        environment["NIGHTJAR_HOME"] = first.home.path
        let third = await ChildProcess([DemoUnderTmux.binary.path, "demo", "--port", "0", "--gateway-port", "0"],
                                       environment: environment).run()
        #expect(third.status != 0)
        #expect(third.output.contains("demo.lock") && third.output.contains("another `nightjar demo` is running"), "\(third.output)")
        // The refused demo emptied nothing: the running one still has its workers and its screen.
        #expect(try second.workerPIDs() == pids)
        for pid in pids {
            #expect(kill(pid, 0) == 0, "worker \(pid) of the running demo is gone")
        }
        _ = try await second.waitFor("the running demo's screen", timeout: 10) { $0.contains("risk@2.3.0") }
    }

    /// True when both versions' rows show a positive requests-per-second figure.
    static func showsTraffic(_ screen: String) -> Bool {
        ScreenText.lines(screen).filter { line in
            line.contains("fraud@") && line.split(separator: " ").contains { token in
                if let v = Double(token), v > 0 { return token.contains(".") }
                return false
            }
        }.count >= 2
    }

    /// Every panel drawn for this width: each line that starts a frame (┌ │ └) ends it in the last
    /// column. A frame left over from another size ends somewhere else.
    static func panelsReachRightEdge(_ screen: String, width: Int) -> Bool {
        let framed = ScreenText.lines(screen).map(Array.init).filter { $0.first.map { "┌│└".contains($0) } ?? false }
        return !framed.isEmpty && framed.allSatisfy { line in
            line.count == width && "┐│┘┤".contains(line[width - 1])
        }
    }
}
