import ArgumentParser
import Client
import Console
import Foundation
import NightjarCore

struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "The operations console: endpoints, traffic, rollouts, workers and events, in the terminal.")

    @Option(help: "Theme: default, light, high-contrast, colorblind, mono, or a file name in $NIGHTJAR_HOME/themes/ (NO_COLOR=1 means mono).")
    var theme = "default"
    @Flag(help: "Show everything, change nothing: hides and refuses traffic shifts, rollbacks and rollout commands.")
    var readOnly = false
    @Flag(help: "Plain ASCII instead of box drawing, blocks and symbols.") var ascii = false
    @Flag(help: "Do not ring the terminal bell when an alert is raised.") var noBell = false
    @OptionGroup var server: ServerAddressOption

    func run() async throws {
        try await ConsoleLauncher.run(serverURL: server.server, token: Environment.token, themeName: theme,
                                      options: AppState.Options(readOnly: readOnly, bell: !noBell, ascii: ascii))
    }
}

/// Opens the ncurses console against a control plane; shared by `console` and `demo`.
enum ConsoleLauncher {
    static func run(serverURL: String, token: String?, themeName: String, options: AppState.Options = AppState.Options()) async throws {
        var theme = try loadTheme(themeName)
        guard isatty(STDOUT_FILENO) == 1 else {
            throw CommandFailure("the console needs a terminal; run it in one (or under tmux)")
        }
        var options = options
        options.clipboardFile = Environment.home.appendingPathComponent("clipboard.txt").path
        let terminal = NcursesTerminal()
        // A terminal without colour gets the theme made for it rather than colours it cannot show.
        if !terminal.supportsColor { theme = (try? loadTheme("mono")) ?? theme.withoutColor() }
        await ConsoleApp.run(terminal: terminal, theme: theme, state: AppState(serverAddress: serverURL, options: options),
                             runner: ClientEffectRunner(server: ServerClient(baseURL: serverURL, timeoutSeconds: 3, token: token)))
    }

    /// Finds a theme by name: the operator's `$NIGHTJAR_HOME/themes/NAME.toml` first, then the ones
    /// compiled into the binary. `NO_COLOR` (https://no-color.org) always means the mono theme.
    static func loadTheme(_ name: String) throws -> Theme {
        let wanted = Environment.value("NO_COLOR") != nil ? "mono" : name
        let own = Environment.home.appendingPathComponent("themes")
        let file = own.appendingPathComponent("\(wanted).toml")
        if FileManager.default.fileExists(atPath: file.path) {
            do {
                return try Theme.load(from: file)
            } catch {
                throw CommandFailure("theme \(file.path): \(error)")
            }
        }
        if let bytes = BundledFiles.themes[wanted] {
            return try Theme.parse(String(decoding: bytes, as: UTF8.self), file: "\(wanted).toml (bundled)")
        }
        let owned = ((try? FileManager.default.contentsOfDirectory(atPath: own.path)) ?? [])
            .filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }
        let known = Set(BundledFiles.themes.keys).union(owned).sorted()
        throw CommandFailure("no theme '\(wanted)' in \(own.path) or among the bundled ones; themes: \(known.joined(separator: ", "))")
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
        case .fetchGateways:
            do { return .gatewaysLoaded(.success(try await server.gateways())) } catch {
                return .gatewaysLoaded(.failure(FetchFailure(error.description)))
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
        case .fetchEndpoints:
            do { return .endpointsLoaded(.success(try await server.endpoints())) } catch {
                return .endpointsLoaded(.failure(FetchFailure(error.description)))
            }
        case .fetchEvents(let after):
            do { return .eventsLoaded(.success(try await server.events(after: after))) } catch {
                return .eventsLoaded(.failure(FetchFailure(error.description)))
            }
        case .fetchNewestEvents(let limit):
            do { return .eventsLoaded(.success(try await server.newestEvents(limit))) } catch {
                return .eventsLoaded(.failure(FetchFailure(error.description)))
            }
        case .mutate(let mutation, let reason):
            return .mutated(mutation, await mutate(mutation, reason: reason))
        case .loadSpotSchema(let ref):
            do {
                guard let schema = try await server.version(ref).schema else {
                    return .spotSchemaLoaded(ref, .failure(FetchFailure("the registry holds no schema for \(ref)")))
                }
                return .spotSchemaLoaded(ref, .success(schema))
            } catch {
                return .spotSchemaLoaded(ref, .failure(FetchFailure(error.description)))
            }
        case .runSpotCheck(let ref, let inputs):
            do {
                // The artifact's hash is checked by the client; inference runs here, off the loop.
                let artifact = try await server.artifact(ref)
                return .spotChecked(ref, SpotCheckEngine.run(modelData: artifact.data, inputs: inputs))
            } catch {
                return .spotChecked(ref, .failure(FetchFailure(error.description)))
            }
        case .askWorker(let ref, let address, let inputs):
            do {
                let response = try await WorkerClient(baseURL: address, timeoutSeconds: 3)
                    .infer(model: ref.name, SpotCheckEngine.request(inputs))
                return .spotServed(ref, SpotCheckEngine.outputs(of: response))
            } catch {
                return .spotServed(ref, .failure(FetchFailure(error.description)))
            }
        case .ringBell, .copyToClipboard:
            // The console loop performs terminal effects itself; reaching here is a wiring mistake.
            return .copied(.failure(FetchFailure("terminal effect \(effect) sent to the HTTP runner")))
        }
    }

    /// What the control plane holds after the change, in the words of a confirmation.
    private func mutate(_ mutation: Mutation, reason: String) async -> Result<String, FetchFailure> {
        do {
            switch mutation {
            case .setTraffic(let endpoint, let weights, let revision):
                let d = try await server.setTraffic(endpoint, TrafficChange(weights: weights, reason: reason, revision: revision))
                return .success("\(endpoint) now \(d.splitDescription) (revision \(d.revision))")
            case .rollback(let endpoint, let version, let revision):
                let d = try await server.rollback(endpoint, RollbackRequest(to: version, reason: reason, revision: revision))
                return .success("\(endpoint) now \(d.splitDescription) (revision \(d.revision))")
            case .rollout(let endpoint, let command):
                let r = try await server.rollout(endpoint, command, reason: reason)
                return .success("\(endpoint) rollout of \(r.candidate) is \(r.state.rawValue), candidate at \(r.candidateWeight)%")
            }
        } catch {
            if case .conflict(let message) = error {
                return .failure(FetchFailure("someone changed \(mutation.endpoint) meanwhile (\(message)); the screen now shows the current split, check it and try again"))
            }
            return .failure(FetchFailure(error.description))
        }
    }
}
