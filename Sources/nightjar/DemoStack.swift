import Client
import Engine
import Foundation
import NightjarCore

/// The demo's moving parts: an in-process control plane with its gateway, the bundled model pushed
/// as three versions, one worker child process per version, two endpoints and a canary rollout.
/// `stop()` leaves nothing running.
struct DemoStack: Sendable {
    let control: ControlPlane
    let children: ChildProcesses
    let sampleRows: [[Float]]
    /// The admin token this demo's server wrote in its home: the console and the workers act with it,
    /// whatever NIGHTJAR_TOKEN says in the operator's shell.
    let adminToken: String

    static func start(home: URL, port: Int, gatewayPort: Int, scenario: DemoScenario) async throws -> DemoStack {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let control = try await ControlPlane.start(home: home, host: "127.0.0.1", port: port, gatewayPort: gatewayPort)
        let children = ChildProcesses(pidFile: home.appendingPathComponent("demo.pids"))
        do {
            let token = try Self.adminToken(home)
            let client = ServerClient(baseURL: control.url, token: token)
            let plans = scenario.workers
            let rows = try JSONDecoder().decode([[Float]].self, from: DemoResources.data("fraud-sample.json"))
            for plan in plans {
                let data = try DemoResources.data(plan.bundledModel)
                let session = try InferenceSession(modelData: data)
                _ = try await client.push(plan.ref, artifact: data, schema: session.schema,
                                          metadata: VersionMetadata(description: "demo: the bundled fraud scorer"))
                // The sample rows are the reference: live traffic is compared with them for drift.
                let profile = try ReferenceProfileBuilder.build(requestsJSONL: Self.requestsJSONL(rows), session: session)
                try await client.setReference(plan.ref, profileJSON: try JSONEncoder().encode(profile))
            }
            let logs = home.appendingPathComponent("logs")
            try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
            for plan in plans {
                try children.spawn(
                    arguments: ["worker", "--model", plan.ref.description, "--server", control.url,
                                "--parent-pid", String(ProcessInfo.processInfo.processIdentifier)] + plan.faultArguments,
                    environment: ["NIGHTJAR_HOME": home.path, "NIGHTJAR_TOKEN": token],
                    log: logs.appendingPathComponent("worker-\(plan.ref.name)-\(plan.ref.version).log"))
            }
            try await waitForWorkers(plans.map(\.ref), client: client, children: children, logs: logs)
            try await deploy(client)
            return DemoStack(control: control, children: children, sampleRows: rows, adminToken: token)
        } catch {
            await children.stopAll()
            await control.stop()
            throw error
        }
    }

    /// The sample rows as OIP requests, one per line, as a reference file would hold them.
    static func requestsJSONL(_ rows: [[Float]]) throws -> String {
        try rows.map { row in
            let request = InferRequest(inputs: [InferTensor(name: "features", shape: [1, row.count], datatype: "FP32",
                                                            data: row.map { .double(Double($0)) })])
            return String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        }.joined(separator: "\n")
    }

    /// The token the server wrote on first start; the demo acts as that admin.
    static func adminToken(_ home: URL) throws -> String {
        let file = home.appendingPathComponent("token")
        guard let token = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
              !token.isEmpty else {
            throw CommandFailure("cannot read the admin token at \(file.path); if the registry there was made by another "
                + "server, set NIGHTJAR_TOKEN or point NIGHTJAR_HOME at a fresh folder")
        }
        return token
    }

    /// Both endpoints on their stable version, then the fraud canary rollout.
    static func deploy(_ client: ServerClient) async throws {
        let stable = SemVer(1, 0, 0)
        try await client.setTraffic("fraud", TrafficChange(weights: [TrafficWeight(version: stable, weight: 100)], reason: "demo: stable"))
        try await client.setTraffic("risk", TrafficChange(weights: [TrafficWeight(version: SemVer(2, 3, 0), weight: 100)],
                                                          reason: "demo: stable"))
        // The demo's inputs drift on purpose (see TrafficGenerator): shown, but left to the error rule to act on.
        // Latency limits are wide: a laptop busy compiling should not roll the demo back; its story is the errors.
        var rules = AnalysisRules(maxP99Ms: 2000, maxP99Ratio: 20)
        rules.failOnDrift = false
        let plan = RolloutPlan(strategy: .canary, steps: DemoScenario.rolloutSteps, intervalSeconds: DemoScenario.stepSeconds,
                               rules: rules)
        try await client.startRollout("fraud", RolloutStart(candidate: SemVer(1, 1, 0), plan: plan, reason: "demo: release 1.1.0"))
    }

    /// Polls the control plane until every version has a ready worker, failing fast if a child dies.
    static func waitForWorkers(_ refs: [ModelRef], client: ServerClient, children: ChildProcesses, logs: URL) async throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let dead = children.firstExited() {
                throw CommandFailure("worker process \(dead.pid) exited with status \(dead.status) before it was ready; see \(dead.log.path)")
            }
            let ready = Set(((try? await client.workers()) ?? []).filter { $0.state == .ready }.map(\.model))
            if ready.isSuperset(of: refs) { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw CommandFailure("workers did not become ready within 60 s; see the logs in \(logs.path)")
    }

    func stop() async {
        await children.stopAll()
        await control.stop()
    }
}

/// The models and sample rows compiled into the binary.
enum DemoResources {
    static func data(_ name: String) throws -> Data {
        guard let bytes = BundledFiles.demo[name] else {
            throw CommandFailure("demo file \(name) is not compiled into this binary; it has \(BundledFiles.demo.keys.sorted().joined(separator: ", "))")
        }
        return Data(bytes)
    }
}
