import Foundation
import NightjarCore
import Testing
@testable import Console

/// Every view at every size from tiny to huge: the header and status line stay put, panels never
/// draw over each other or past the edge, and nothing crashes.
@Suite struct LayoutTests {
    static let sizes = [(1, 1), (10, 4), (40, 12), (79, 23), (80, 24), (100, 30), (132, 43), (200, 60), (300, 90)]

    static func states(width: Int, height: Int) -> [(String, AppState)] {
        var result: [(String, AppState)] = []
        var state = Fixtures.loadedState(width: width, height: height)
        result.append(("overview", state))
        press(&state, .enter)
        result.append(("endpoint", state))
        press(&state, .right, .character("+"))
        result.append(("traffic", state))
        press(&state, .escape, .character("R"))
        result.append(("confirm", state))
        press(&state, .escape, .character("?"))
        result.append(("help", state))
        for view in ["workers", "models", "events"] {
            var s = Fixtures.loadedState(width: width, height: height)
            press(&s, .character(":"))
            type(&s, view)
            press(&s, .enter)
            result.append((view, s))
        }
        var prompt = Fixtures.loadedState(width: width, height: height)
        press(&prompt, .character(":"))
        type(&prompt, "endpoint f")
        result.append(("prompt", prompt))
        var empty = AppState(serverAddress: "http://127.0.0.1:7070", width: width, height: height, now: Fixtures.now)
        _ = reduce(&empty, .endpointsLoaded(.failure(FetchFailure("connection refused"))))
        result.append(("unreachable", empty))
        return result
    }

    @Test(arguments: sizes)
    func everyViewFitsItsScreen(width: Int, height: Int) {
        for (name, state) in Self.states(width: width, height: height) {
            let buffer = Screen.render(state)
            #expect(buffer.width == width && buffer.height == height, "\(name)")
            let lines = buffer.text().split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == height, "\(name)")
            #expect(lines.allSatisfy { $0.count <= width }, "\(name) at \(width)x\(height)")
            if width >= 10 { #expect(lines.first?.hasPrefix(" Nightjar") == true, "\(name): header") }
        }
    }

    @Test func panelsDoNotOverlapOnTheOverview() {
        for (width, height) in [(80, 24), (160, 48)] {
            let text = Screen.render(Fixtures.loadedState(width: width, height: height)).text()
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let endpointsTop = lines.firstIndex { $0.contains("Endpoints (") }
            let workersTop = lines.firstIndex { $0.contains("Workers (") }
            #expect(endpointsTop != nil)
            if let endpointsTop, let workersTop {
                // The endpoints box closes before the workers box opens.
                #expect(lines[endpointsTop..<workersTop].contains { $0.hasPrefix("└") })
            }
        }
    }

    @Test func unreachableControlPlaneSaysSoInEveryPanel() {
        var state = AppState(serverAddress: "http://127.0.0.1:7070", width: 100, height: 30, now: Fixtures.now)
        _ = reduce(&state, .endpointsLoaded(.failure(FetchFailure("GET /api/v1/endpoints: connection refused"))))
        _ = reduce(&state, .workersLoaded(.failure(FetchFailure("GET /api/v1/workers: connection refused"))))
        let text = Screen.render(state).text()
        #expect(text.contains("endpoints unavailable: GET /api/v1/endpoints: connection refused"))
        #expect(text.contains("workers unavailable: GET /api/v1/workers: connection refused"))
    }
}
