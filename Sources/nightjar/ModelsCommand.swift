import ArgumentParser
import Client
import Foundation
import NightjarCore

struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List the registry's models and versions.")

    @OptionGroup var server: ServerAddressOption

    func run() async throws {
        let models = try await server.client().models()
        if models.isEmpty {
            print("no models yet: push one with `nightjar push model.onnx --name NAME --version 1.0.0`")
            return
        }
        let formatter = ISO8601DateFormatter()
        var rows = [["MODEL", "VERSION", "SHA256", "SIZE", "CREATED"]]
        for model in models {
            for v in model.versions {
                rows.append([model.name, v.version.description, String(v.sha256.prefix(12)),
                             ByteCountText.of(v.sizeBytes), formatter.string(from: v.createdAt)])
            }
        }
        print(TextTable.render(rows))
    }
}
