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
        press(&state, .escape, .character("d"))
        result.append(("drift", state))
        press(&state, .character("G"), .enter)
        result.append(("drift enlarged", state))
        for view in ["workers", "models", "events"] {
            var s = Fixtures.loadedState(width: width, height: height)
            press(&s, .character(":"))
            type(&s, view)
            press(&s, .enter)
            result.append((view, s))
        }
        var shadow = Fixtures.loadedState(width: width, height: height)
        _ = reduce(&shadow, .endpointsLoaded(.success([Fixtures.churn, Fixtures.shadowedFraud(agreement: 0.9), Fixtures.search])))
        result.append(("overview with a shadow", shadow))
        press(&shadow, .character(":"))
        type(&shadow, "endpoint fraud")
        press(&shadow, .enter)
        result.append(("endpoint with a shadow", shadow))
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

    static let driftSizes = [(40, 12), (60, 16), (79, 23), (80, 24), (100, 30), (120, 40), (139, 40), (140, 40), (160, 48), (200, 60)]

    /// The drift view and the endpoint detail painted into an area inside a larger frame: every cell
    /// outside the area is left as it was, at every size.
    @Test(arguments: driftSizes)
    func driftAndDetailDrawOnlyInsideTheirArea(width: Int, height: Int) {
        var state = Fixtures.loadedState(width: width, height: height)
        press(&state, .enter, .right, .character("d"))
        var enlarged = state
        press(&enlarged, .enter)
        var detail = state
        press(&detail, .escape)
        var shadowed = detail
        _ = reduce(&shadowed, .endpointsLoaded(.success([Fixtures.churn, Fixtures.shadowedFraud(), Fixtures.search])))
        var overview = Fixtures.loadedState(width: width, height: height)
        overview.width = width + 6
        overview.height = height + 4
        let area = Rect(x: 3, y: 2, width: width, height: height)
        let sentinel = Cell("#", .alert)
        let views: [(String, AppState, (AppState, inout CellBuffer) -> Void)] = [
            ("drift", state, { s, b in DriftView.render(s, name: "fraud", into: &b, area: area) }),
            ("enlarged", enlarged, { s, b in DriftView.render(s, name: "fraud", into: &b, area: area) }),
            ("detail", detail, { s, b in EndpointDetail.render(s, name: "fraud", into: &b, area: area) }),
            ("detail with shadow and routing", shadowed, { s, b in EndpointDetail.render(s, name: "fraud", into: &b, area: area) }),
            ("overview with recent events", overview, { s, b in Screen.overview(s, into: &b, body: area) }),
        ]
        for (name, viewState, draw) in views {
            var buffer = CellBuffer(width: width + 6, height: height + 4)
            buffer.fill(Rect(x: 0, y: 0, width: buffer.width, height: buffer.height), with: sentinel)
            buffer.fill(area, with: .blank)
            draw(viewState, &buffer)
            var outside = 0
            for y in 0..<buffer.height {
                for x in 0..<buffer.width where !(x >= area.x && x < area.x + area.width && y >= area.y && y < area.y + area.height) {
                    if buffer[x, y] != sentinel { outside += 1 }
                }
            }
            #expect(outside == 0, "\(name) at \(width)x\(height) drew \(outside) cells outside its area")
            // And it drew something: a blank view would pass the check above too.
            #expect(buffer.text().contains("fraud"), "\(name) at \(width)x\(height)")
        }
    }

    /// The drift tables reflow: side by side from 140 columns, stacked below when each keeps a few
    /// rows, otherwise only the selected one; never overlapping, never past the body.
    @Test(arguments: driftSizes)
    func driftPanelsReflowWithoutOverlap(width: Int, height: Int) {
        let body = Rect(x: 0, y: 3, width: width, height: height - 4)
        for selected in [0, 1] {
            let rects = DriftView.panels(count: 2, selected: selected, in: body).map(\.1)
            #expect(!rects.isEmpty)
            for r in rects {
                #expect(r.x >= body.x && r.y >= body.y && r.x + r.width <= body.x + body.width && r.y + r.height <= body.y + body.height)
            }
            for (i, a) in rects.enumerated() {
                for b in rects.dropFirst(i + 1) {
                    let apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y
                    #expect(apart, "\(a) and \(b) overlap at \(width)x\(height)")
                }
            }
            if width >= DriftView.sideBySideWidth { #expect(rects.count == 2 && rects[0].y == rects[1].y) }
            if rects.count == 1 { #expect(DriftView.panels(count: 2, selected: selected, in: body)[0].0 == selected) }
        }
        // At 80x24 both versions show, stacked, each with its header and at least three columns.
        let at80 = DriftView.panels(count: 2, selected: 0, in: Rect(x: 0, y: 3, width: 80, height: 20)).map(\.1)
        #expect(at80.count == 2 && at80.allSatisfy { $0.height >= 6 && $0.width == 80 })
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
