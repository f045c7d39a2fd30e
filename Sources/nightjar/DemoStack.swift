import Client
import Engine
import Foundation
import NightjarCore

/// The demo's moving parts: an in-process control plane, the bundled model pushed as two versions,
/// and one worker child process per version. `stop()` leaves nothing running.
struct DemoStack: Sendable {
    struct RunningWorker: Sendable {
        let ref: ModelRef
        let address: String
        let pid: Int32
    }

    static let versions = ["1.0.0", "1.1.0"]
    static let modelName = "fraud"

    let control: ControlPlane
    let workers: [RunningWorker]
    let children: ChildProcesses
    let sampleRows: [[Float]]

    static func start(home: URL, port: Int) async throws -> DemoStack {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let control = try await ControlPlane.start(home: home, host: "127.0.0.1", port: port)
        let children = ChildProcesses(pidFile: home.appendingPathComponent("demo.pids"))
        do {
            let client = ServerClient(baseURL: control.url)
            var refs: [ModelRef] = []
            for version in versions {
                let ref = try ModelRef(parsing: "\(modelName)@\(version)")
                let data = try DemoResources.data("\(modelName)-\(version).onnx")
                let session = try InferenceSession(modelData: data)
                _ = try await client.push(ref, artifact: data, schema: session.schema)
                refs.append(ref)
            }
            let logs = home.appendingPathComponent("logs")
            try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
            for ref in refs {
                try children.spawn(
                    arguments: ["worker", "--model", ref.description, "--server", control.url,
                                "--parent-pid", String(ProcessInfo.processInfo.processIdentifier)],
                    log: logs.appendingPathComponent("worker-\(ref.version).log"))
            }
            let workers = try await waitForWorkers(refs, client: client, children: children)
            let rows = try JSONDecoder().decode([[Float]].self, from: DemoResources.data("\(modelName)-sample.json"))
            return DemoStack(control: control, workers: workers, children: children, sampleRows: rows)
        } catch {
            await children.stopAll()
            await control.stop()
            throw error
        }
    }

    /// Polls the control plane until every version has a ready worker, failing fast if a child dies.
    static func waitForWorkers(_ refs: [ModelRef], client: ServerClient, children: ChildProcesses) async throws -> [RunningWorker] {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let dead = children.firstExited() {
                throw CommandFailure("worker process \(dead.pid) exited with status \(dead.status) before it was ready; see \(dead.log.path)")
            }
            let ready = (try? await client.workers())?.filter { $0.state == .ready } ?? []
            let found = refs.compactMap { ref in ready.first { $0.model == ref } }
            if found.count == refs.count {
                return found.map { RunningWorker(ref: $0.model, address: $0.address, pid: $0.pid) }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw CommandFailure("workers did not become ready within 60 s; see the logs in \(Environment.home.path)/logs")
    }

    func stop() async {
        await children.stopAll()
        await control.stop()
    }
}

/// The models and sample rows bundled with the binary.
enum DemoResources {
    static func data(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "DemoModels") else {
            throw CommandFailure("bundled demo file \(name) is missing from \(Bundle.module.bundlePath)")
        }
        return try Data(contentsOf: url)
    }
}
