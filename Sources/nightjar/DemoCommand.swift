import ArgumentParser
import Client
import Engine
import Foundation
import NightjarCore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Everything on one machine: a server, two versions of a model, two workers, synthetic traffic, and the console.")

    @Option(help: "Control plane port (0 picks a free one).") var port = 7070
    @Option(help: "Synthetic requests per second across both workers.") var rate = 40.0
    @Option(help: "Share of traffic, in percent, sent to the newer version.") var canaryPercent = 20
    @Option(help: "Console theme name (a file in themes/).") var theme = "default"

    func run() async throws {
        let home = Environment.home
        let demo = try await DemoStack.start(home: home, port: port)
        let traffic = TrafficGenerator(targets: demo.workers, canaryPercent: canaryPercent, rate: rate, rows: demo.sampleRows)
        let trafficTask = Task { await traffic.run() }
        // The in-process server logs to stderr, which would scribble over the console: send it to a file
        // while the console is up, and give the terminal its stderr back for any closing error.
        let log = home.appendingPathComponent("logs/demo.log")
        let redirect = StderrRedirect(to: log)
        let result = await Result(catching: { try await ConsoleLauncher.run(serverURL: demo.control.url, themeName: theme) })
        redirect.restore()
        trafficTask.cancel()
        await demo.stop()
        try result.get()
    }
}
