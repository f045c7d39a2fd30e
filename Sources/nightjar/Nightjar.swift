import ArgumentParser
import Client
import NightjarCore

@main
struct Nightjar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightjar",
        abstract: "Operations console and serving stack for ML models in production.",
        version: NightjarBuild.version,
        subcommands: [
            DemoCommand.self, ConsoleCommand.self, ServerCommand.self, GatewayCommand.self, WorkerCommand.self,
            PushCommand.self, ModelsCommand.self, EndpointsCommand.self, TrafficCommand.self, RollbackCommand.self,
            RolloutCLICommand.self, AuditCommand.self, AliasCommand.self, EditCommand.self, CardCommand.self,
            GarbageCollectCommand.self, TokenCommand.self, ImportCommand.self,
        ]
    )
}

/// `--server`, shared by every command that talks to the control plane.
struct ServerAddressOption: ParsableArguments {
    @Option(name: .long, help: "Control plane URL (env NIGHTJAR_SERVER).")
    var server: String = Environment.value("NIGHTJAR_SERVER") ?? "http://127.0.0.1:7070"

    func validate() throws {
        try ServerURLArgument.validate(server)
    }

    /// A client carrying the API token (`$NIGHTJAR_TOKEN` or `$NIGHTJAR_HOME/token`); the token's name is
    /// what the audit log records. (`$NIGHTJAR_ACTOR` names the caller only on a server with tokens off.)
    func client(timeoutSeconds: Int64 = 10) -> ServerClient {
        ServerClient.commandLine(baseURL: server, timeoutSeconds: timeoutSeconds, actor: Environment.actor, token: Environment.token)
    }
}
