import ArgumentParser
import Client
import Console
import Foundation
import NightjarCore

struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "The operations console: live workers and models, in the terminal.")

    @Option(help: "Theme name, a file in themes/ (NO_COLOR=1 drops colours from any theme).") var theme = "default"
    @OptionGroup var server: ServerAddressOption

    func run() async throws {
        try await ConsoleLauncher.run(serverURL: server.server, themeName: theme)
    }
}

/// Opens the ncurses console against a control plane; shared by `console` and `demo`.
enum ConsoleLauncher {
    static func run(serverURL: String, themeName: String) async throws {
        let theme = try loadTheme(themeName)
        guard isatty(STDOUT_FILENO) == 1 else {
            throw CommandFailure("the console needs a terminal; run it in one (or under tmux)")
        }
        let terminal = NcursesTerminal()
        await ConsoleApp.run(terminal: terminal, theme: theme, state: AppState(serverAddress: serverURL),
                             runner: ClientEffectRunner(server: ServerClient(baseURL: serverURL, timeoutSeconds: 3, token: Environment.token)))
    }

    static func loadTheme(_ name: String) throws -> Theme {
        guard let directory = Environment.themesDirectory() else {
            throw CommandFailure("no themes/ folder found: set NIGHTJAR_THEMES to the folder holding default.toml")
        }
        let file = directory.appendingPathComponent("\(name).toml")
        guard FileManager.default.fileExists(atPath: file.path) else {
            let known = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
                .filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }.sorted()
            throw CommandFailure("no theme '\(name)' in \(directory.path); themes: \(known.joined(separator: ", "))")
        }
        let theme = try Theme.load(from: file)
        return Environment.value("NO_COLOR") != nil ? theme.withoutColor() : theme
    }
}

/// Performs the console's effects over HTTP. Failures become actions carrying their message.
struct ClientEffectRunner: EffectRunner {
    let server: ServerClient

    func perform(_ effect: Effect) async -> Action {
        switch effect {
        case .fetchModels:
            do { return .modelsLoaded(.success(try await server.models())) } catch {
                return .modelsLoaded(.failure(FetchFailure(error.description)))
            }
        case .fetchWorkers:
            do { return .workersLoaded(.success(try await server.workers())) } catch {
                return .workersLoaded(.failure(FetchFailure(error.description)))
            }
        case .fetchStats(let id, let address):
            do {
                return .statsLoaded(workerID: id, .success(try await WorkerClient(baseURL: address, timeoutSeconds: 2).stats()))
            } catch {
                return .statsLoaded(workerID: id, .failure(FetchFailure(error.description)))
            }
        }
    }
}
