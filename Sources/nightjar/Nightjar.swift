import ArgumentParser
import NightjarCore

@main
struct Nightjar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightjar",
        abstract: "Operations console and serving stack for ML models in production.",
        version: NightjarBuild.version,
        subcommands: [
            DemoCommand.self, ConsoleCommand.self, ServerCommand.self, WorkerCommand.self,
            PushCommand.self, ModelsCommand.self,
        ]
    )
}

/// `--server`, shared by every command that talks to the control plane.
struct ServerAddressOption: ParsableArguments {
    @Option(name: .long, help: "Control plane URL (env NIGHTJAR_SERVER).")
    var server: String = Environment.value("NIGHTJAR_SERVER") ?? "http://127.0.0.1:7070"
}
