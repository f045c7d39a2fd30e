import Foundation
import NightjarCore
import Synchronization
import Testing
@testable import Console

/// The loop with an in-memory terminal and a fake control plane: what is drawn, what is sent,
/// and that every way out restores the terminal.
@Suite(.serialized) struct ConsoleAppTests {
    /// Answers every effect from the fixtures and records the mutations it was asked for.
    final class FakeRunner: EffectRunner {
        let mutations = Mutex<[Effect]>([])
        let events: [ControlEvent]

        init(events: [ControlEvent] = Fixtures.events) { self.events = events }

        func perform(_ effect: Effect) async -> Action {
            switch effect {
            case .fetchModels: return .modelsLoaded(.success(Fixtures.models))
            case .fetchWorkers: return .workersLoaded(.success(Fixtures.workers))
            case .fetchStats(let id, _): return .statsLoaded(workerID: id, .success(Fixtures.stats("fraud", Fixtures.v100, rps: 30)))
            case .fetchEndpoints: return .endpointsLoaded(.success(Fixtures.endpoints))
            case .fetchGateways: return .gatewaysLoaded(.success([]))
            case .fetchEvents(let after): return .eventsLoaded(.success(events.filter { $0.id > after }))
            case .fetchNewestEvents(let limit): return .eventsLoaded(.success(Array(events.suffix(limit))))
            case .mutate(let mutation, _):
                mutations.withLock { $0.append(effect) }
                return .mutated(mutation, .success("done"))
            case .loadSpotSchema(let ref):
                return .spotSchemaLoaded(ref, .failure(FetchFailure("no registry in this test")))
            case .runSpotCheck(let ref, _):
                return .spotChecked(ref, .failure(FetchFailure("no registry in this test")))
            case .askWorker(let ref, _, _):
                return .spotServed(ref, .failure(FetchFailure("no worker in this test")))
            case .ringBell, .copyToClipboard:
                return .copied(.failure(FetchFailure("terminal effect reached the runner")))
            }
        }
    }

    /// Waits (up to 15 s) for the screen to show something; records what it showed instead.
    static func waitUntil(_ terminal: MemoryTerminal, _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation,
                          _ condition: () -> Bool) async {
        var polls = 0
        while polls < 1500, !condition() {
            try? await Task.sleep(for: .milliseconds(10))
            polls += 1
        }
        if !condition() {
            Issue.record("the screen never showed \(what):\n\(terminal.lastFrameText)", sourceLocation: sourceLocation)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func drawsLiveDataAndQuitsOnQ() async {
        let terminal = MemoryTerminal(width: 100, height: 30)
        let runner = FakeRunner()
        let app = Task {
            await ConsoleApp.run(terminal: terminal, theme: Theme(name: "t", styles: [:]),
                                 state: AppState(serverAddress: "http://test"), runner: runner, tickInterval: .milliseconds(250))
        }
        await Self.waitUntil(terminal) { terminal.lastFrameText.contains("fraud@1.1.0") && terminal.lastFrameText.contains("✖ fraud") }
        #expect(terminal.lastFrameText.contains("fraud@1.1.0"))
        // The failing rule alerted, and the bell rang once for it.
        #expect(terminal.lastFrameText.contains("ALERT"))
        #expect(terminal.bells == 1)
        terminal.send(.key(.character("q")))
        await app.value
        #expect(terminal.isShutDown)
    }

    @Test(.timeLimit(.minutes(1)))
    func rollbackIsSentOnlyAfterEnterAndTheAnswerIsShown() async {
        let terminal = MemoryTerminal(width: 100, height: 30)
        let runner = FakeRunner()
        let app = Task {
            await ConsoleApp.run(terminal: terminal, theme: Theme(name: "t", styles: [:]),
                                 state: AppState(serverAddress: "http://test"), runner: runner, tickInterval: .milliseconds(250))
        }
        await Self.waitUntil(terminal) { terminal.lastFrameText.contains("✖ fraud") }
        terminal.send(.key(.character("R")))
        await Self.waitUntil(terminal) { terminal.lastFrameText.contains("Confirm rollback of fraud") }
        #expect(runner.mutations.withLock { $0.isEmpty })
        terminal.send(.key(.enter))
        await Self.waitUntil(terminal) { terminal.lastFrameText.contains("✔ rollback of fraud: done") }
        #expect(runner.mutations.withLock { $0.count } == 1)
        _ = quitFromAnywhere(terminal)
        await app.value
        #expect(terminal.isShutDown)
    }

    @Test(.timeLimit(.minutes(1)))
    func copyWritesOSC52AndTheClipboardFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-console-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("clipboard.txt").path
        let terminal = MemoryTerminal(width: 220, height: 30)
        let app = Task {
            await ConsoleApp.run(terminal: terminal, theme: Theme(name: "t", styles: [:]),
                                 state: AppState(serverAddress: "http://test", options: AppState.Options(clipboardFile: file)),
                                 runner: FakeRunner(), tickInterval: .milliseconds(250))
        }
        await Self.waitUntil(terminal) { terminal.lastFrameText.contains("✖ fraud") }
        for key in ":events".map(Key.character) + [.enter] { terminal.send(.key(key)) }
        await Self.waitUntil(terminal) { terminal.lastFrameText.contains("rolloutStep") }
        terminal.send(.key(.character("y")))
        await Self.waitUntil(terminal) { terminal.lastFrameText.contains(file) }
        #expect(terminal.lastFrameText.contains("copied 1 line to the terminal clipboard and to"))
        let copied = try String(contentsOfFile: file, encoding: .utf8)
        #expect(copied.contains("churn by bob: churn: 2.0.0 100%"))
        #expect(terminal.clipboardWrites == [OSC52.sequence(for: copied)])
        _ = quitFromAnywhere(terminal)
        await app.value
    }

    /// Ctrl-C and SIGTERM arrive as `.quit`; from a sub-view `q` only goes back, so this quits via
    /// the overview the way an operator would.
    func quitFromAnywhere(_ terminal: MemoryTerminal) -> Bool {
        terminal.send(.key(.escape))
        terminal.send(.key(.escape))
        terminal.send(.key(.character("q")))
        return true
    }

    @Test(.timeLimit(.minutes(1)))
    func resizeRedrawsAtTheNewSize() async {
        let terminal = MemoryTerminal(width: 160, height: 48)
        let app = Task {
            await ConsoleApp.run(terminal: terminal, theme: Theme(name: "t", styles: [:]),
                                 state: AppState(serverAddress: "http://test"), runner: FakeRunner(), tickInterval: .milliseconds(250))
        }
        await Self.waitUntil(terminal) { terminal.lastFrameText.contains("fraud@1.0.0") }
        terminal.send(.resized(width: 80, height: 24))
        await Self.waitUntil(terminal) { terminal.frames.last?.width == 80 }
        let last = terminal.frames.last
        #expect(last?.width == 80 && last?.height == 24)
        #expect(terminal.lastFrameText.split(separator: "\n").allSatisfy { $0.count <= 80 })
        terminal.send(.key(.character("q")))
        await app.value
    }
}
