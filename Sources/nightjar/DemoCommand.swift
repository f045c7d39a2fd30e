import ArgumentParser
import Client
import Engine
import Foundation
import NightjarCore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Everything on one machine: a control plane with its gateway, three workers, two endpoints, a canary rollout, synthetic traffic, and the console.")

    @Option(help: "Control plane port (0 picks a free one).", transform: PortArgument.parse) var port: Int = 7070
    @Option(help: "Gateway port (0 picks a free one).", transform: PortArgument.parse) var gatewayPort: Int = 8080
    @Option(help: "Synthetic requests per second, through the gateway.") var rate = 40.0
    @Option(help: "canary-fails: the canary starts failing \(DemoScenario.faultAfterSeconds) s in and is rolled back; calm: it is promoted.")
    var scenario: String = DemoScenario.canaryFails.rawValue
    @Option(help: "Console theme name (a file in themes/).") var theme = "default"

    func run() async throws {
        guard let scenario = DemoScenario(rawValue: scenario) else {
            throw CommandFailure("--scenario: '\(self.scenario)' is not a scenario; use \(DemoScenario.allCases.map(\.rawValue).joined(separator: " or "))")
        }
        let home = try DemoHome.claim(under: Environment.home)
        print("nightjar demo: starting in \(home.url.path); logs in \(home.logs.path)")
        // The in-process server logs to stderr, which would scribble over the console: send it to a file
        // from here on, and give the terminal its stderr back for any error the demo ends with.
        let redirect = StderrRedirect(to: home.logs.appendingPathComponent("demo.log"))
        let result = await Result(catching: { try await run(in: home, scenario: scenario) })
        redirect.restore()
        try result.get()
    }

    private func run(in home: DemoHome, scenario: DemoScenario) async throws {
        let demo = try await DemoStack.start(home: home.url, port: port, gatewayPort: gatewayPort, scenario: scenario)
        let traffic = TrafficGenerator(gatewayURL: demo.control.gatewayURL, rate: rate, rows: demo.sampleRows,
                                       driftAfter: scenario == .canaryFails ? .seconds(DemoScenario.driftAfterSeconds) : nil)
        let trafficTask = Task { await traffic.run() }
        let result = await Result(catching: { try await ConsoleLauncher.run(serverURL: demo.control.url, token: demo.adminToken, themeName: theme) })
        trafficTask.cancel()
        await demo.stop()
        try result.get()
    }
}
