import ArgumentParser
import Foundation
import NightjarCore

struct AliasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias",
        abstract: "Point an alias (production, staging, champion, ...) at a version.",
        discussion: "A version reaches production only through staging, and staging/production check the version's --require gates; --force (admin) skips both.")

    @Argument(help: "The model, e.g. fraud.") var model: String
    @Argument(help: "The alias, e.g. production.") var alias: String
    @Argument(help: "The version, e.g. 1.2.0.") var version: String
    @Option(help: "Why; recorded in the audit log.") var reason: String
    @Flag(help: "Skip the promotion rules (admin only).") var force = false
    @OptionGroup var server: ServerAddressOption

    func run() async throws {
        let info = try await server.client().setAlias(model, alias, AliasChange(
            version: try SemVer(parsing: version), reason: reason, force: force ? true : nil))
        print("\(model)/\(alias) → \(info.version)  (aliases of \(info.ref): \(info.aliases.joined(separator: ", ")))")
    }
}

struct EditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit", abstract: "Change a version's description or tags (the only fields that may change).")

    @Argument(help: "NAME@X.Y.Z") var ref: String
    @Option(help: "New description.") var description: String?
    @Option(name: .customLong("tag"), help: "KEY=VALUE, repeatable; replaces all tags.") var tags: [String] = []
    @Option(help: "Why; recorded in the audit log.") var reason: String?
    @OptionGroup var server: ServerAddressOption

    func run() async throws {
        let edit = VersionEdit(description: description,
                               tags: tags.isEmpty ? nil : try KeyValueText.pairs(tags, what: "--tag") { $0 }, reason: reason)
        let info = try await server.client().edit(try ModelRef(parsing: ref), edit)
        print("\(info.ref): \(info.metadata.description ?? "(no description)")  tags: \(info.metadata.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }
}

struct GarbageCollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Remove artifact files no version references (never one that a version does).")

    @OptionGroup var server: ServerAddressOption

    func run() async throws {
        let removed = try await server.client().collectGarbage()
        print(removed.isEmpty ? "nothing to remove" : "removed \(removed.count) unreferenced artifact(s):\n" + removed.joined(separator: "\n"))
    }
}

struct CardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card", abstract: "Print a version's model card from the registry (or write it as Markdown).")

    @Argument(help: "NAME@X.Y.Z") var ref: String
    @Option(help: "Write the card to this Markdown file instead of printing it.") var markdown: String?
    @OptionGroup var server: ServerAddressOption

    func run() async throws {
        let ref = try ModelRef(parsing: ref)
        let client = server.client()
        let info = try await client.version(ref)
        let history = try await client.audit(limit: 1000).filter {
            $0.subject == ref.description || ($0.subject.hasPrefix("\(ref.name)/") && $0.to == ref.version.description)
        }
        let card = ModelCard.render(info, history: history)
        if let markdown {
            do { try card.write(toFile: markdown, atomically: true, encoding: .utf8) } catch {
                throw CommandFailure("cannot write \(markdown): \(error.localizedDescription)")
            }
            print("wrote the card of \(ref) to \(markdown)")
        } else {
            print(card)
        }
    }
}

/// A model card in Markdown, from what the registry stores: purpose, schema, metrics, lineage, who
/// pushed and promoted it.
enum ModelCard {
    static func render(_ v: ModelVersionInfo, history: [AuditEntry]) -> String {
        let m = v.metadata
        let dates = ISO8601DateFormatter()
        var lines = ["# \(v.ref)", "", m.description ?? "_No description was given at push._", ""]
        lines += ["## Identity", "",
                  "- sha256 `\(v.sha256)`, \(ByteCountText.of(v.sizeBytes))",
                  "- pushed \(dates.string(from: v.createdAt)) by \(v.createdBy.isEmpty ? "unknown" : v.createdBy)",
                  "- aliases: \(v.aliases.isEmpty ? "none" : v.aliases.joined(separator: ", "))",
                  "- framework: \(m.framework ?? "not recorded"); converter: \(m.converter ?? "not recorded")", ""]
        if let schema = v.schema {
            lines += ["## Schema", "", "| direction | name | datatype | shape |", "|---|---|---|---|"]
            lines += schema.inputs.map { "| input | \($0.name) | \($0.datatype.rawValue) | \($0.shape) |" }
            lines += schema.outputs.map { "| output | \($0.name) | \($0.datatype.rawValue) | \($0.shape) |" }
            lines.append("")
        }
        lines += ["## Evaluation", ""]
        lines += m.metrics.isEmpty ? ["No offline metrics were recorded."] : m.metrics.sorted { $0.key < $1.key }.map { "- \($0.key): \($0.value)" }
        if !m.gates.isEmpty {
            let failed = m.failedGates()
            lines.append("- promotion gates: \(m.gates.map(\.description).joined(separator: ", ")) — "
                + (failed.isEmpty ? "passing" : "failing: \(failed.joined(separator: "; "))"))
        }
        lines += ["", "## Lineage", "",
                  "- parent: \(m.parent?.description ?? "none")",
                  "- dataset: \(m.dataset ?? "not recorded")",
                  "- git commit: \(m.gitCommit ?? "not recorded")"]
        if !m.tags.isEmpty { lines.append("- tags: " + m.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) }
        lines += ["", "## History", ""]
        lines += history.reversed().map { e in
            "- \(dates.string(from: e.at)) \(e.actor): \(e.action) \(e.subject)" + (e.reason.map { " — \($0)" } ?? "")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
