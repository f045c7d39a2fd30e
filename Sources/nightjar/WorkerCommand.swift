import ArgumentParser
import Client
import Drift
import Engine
import Foundation
import Hummingbird
import Logging
import NightjarCore
import ServiceSupport
import Worker

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Serve one model version over the Open Inference Protocol v2 and MLflow's /invocations.")

    @Option(help: "The version to serve, NAME@X.Y.Z.") var model: String
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).", transform: PortArgument.parse) var port: Int = 0
    @Option(help: "Largest request body accepted, in bytes; larger bodies get 413.") var maxBodyBytes = 8 << 20
    @Option(help: "Most rows merged into one engine call.") var maxBatch = 32
    @Option(help: "How long, in microseconds, the oldest queued request waits for others to merge with (0: merge only what already waits).")
    var maxQueueDelayUs = 0
    @Option(help: "Most requests waiting for the engine; more are answered 503 with Retry-After.") var maxQueue = 1024
    @Option(help: "On SIGTERM, seconds to let in-flight requests finish before exiting.") var drainTimeout = 10.0
    @Flag(help: "Accept NaN and infinity in float inputs (refused with 400 by default).") var allowNonFinite = false
    @Option(help: "Fault injection: share of inference requests answered with HTTP 500, 0...1.") var injectErrorRate = 0.0
    @Option(help: "Fault injection: milliseconds added before every inference answer.") var injectLatencyMs = 0.0
    @Option(help: "Fault injection: seconds after the worker is ready before faults start.") var injectAfterSeconds = 0.0
    @Option(help: "Write a sample of predictions as JSON Lines to this file (off the request path).") var logPredictions: String?
    @Option(help: "Share of predictions written to the prediction log, 0...1.") var logSampleRate = 1.0
    @Option(parsing: .upToNextOption, help: "Inputs or outputs whose values the prediction log replaces by \"[redacted]\".")
    var redact: [String] = []
    @Option(help: "Rotate the prediction log when it would grow past this many bytes.") var logMaxBytes = 64 << 20
    @Option(help: "Rotated prediction log files kept.") var logKeep = 5
    @Option(help: "Exit when this process id is no longer the parent (used by `nightjar demo`).")
    var parentPid: Int32?
    @OptionGroup var server: ServerAddressOption

    func validate() throws {
        guard maxBatch >= 1 else { throw ValidationError("--max-batch must be at least 1") }
        guard maxQueue >= 1 else { throw ValidationError("--max-queue must be at least 1") }
        guard maxQueueDelayUs >= 0 else { throw ValidationError("--max-queue-delay-us must not be negative") }
        guard maxBodyBytes >= 1 else { throw ValidationError("--max-body-bytes must be at least 1") }
        guard drainTimeout >= 0, drainTimeout.isFinite else { throw ValidationError("--drain-timeout must be a non-negative number of seconds") }
        guard injectLatencyMs.isFinite, injectAfterSeconds.isFinite else { throw ValidationError("fault injection values must be finite numbers") }
    }

    func run() async throws {
        let ref = try ModelRef(parsing: model)
        let faults = try FaultInjection(errorRate: injectErrorRate, latency: .microseconds(Int64(injectLatencyMs * 1000)),
                                        startAfter: .milliseconds(Int64(injectAfterSeconds * 1000)))
        let options = WorkerOptions(
            maxBodyBytes: maxBodyBytes,
            batching: .init(maxBatchRows: maxBatch, maxQueueDelay: .microseconds(maxQueueDelayUs), maxQueue: maxQueue),
            faults: faults, allowNonFinite: allowNonFinite)
        let control = server.client()
        let (info, artifact) = try await control.artifact(ref)
        let session = try InferenceSession(modelData: artifact)
        // Hummingbird tags every request's logger with an id; this handler formats it only if a line is written.
        let logger = Logger(label: "nightjar.worker") { DeferredMetadataLogHandler(label: $0) }
        var predictionLog: PredictionLog?
        if let logPredictions {
            predictionLog = PredictionLog(configuration: try .init(
                path: logPredictions, sampleRate: logSampleRate, redact: Set(redact.flatMap { $0.split(separator: ",").map(String.init) }),
                maxFileBytes: logMaxBytes, keepFiles: logKeep))
        }
        // The version's reference profile, if it was pushed with one, turns on the drift window.
        let drift = try await control.reference(ref).map { data in
            DriftMonitor(profile: try JSONDecoder().decode(ReferenceProfile.self, from: data))
        }
        let observers: [any PredictionObserver] = [predictionLog as (any PredictionObserver)?, drift].compactMap { $0 }
        let routes = WorkerRoutes(model: ref, servable: EngineServable(session: session), stats: WorkerStats(model: ref), options: options,
                                  observers: observers)
        let router = routes.router(logger: logger)
        router.get("/v1/drift") { _, _ in
            guard let drift else {
                throw NightjarError.notFound("\(ref) was pushed without a reference profile (nightjar push --reference), so drift is not watched")
            }
            return try Response.json(drift.report())
        }
        // Live (but not ready) from here, so a probe can tell "starting" from "dead".
        let service = try await HTTPService(router: router, host: host, port: port, logger: logger)
        try routes.warmUp()
        let address = "http://\(host):\(service.port)"
        let announcement = WorkerAnnouncement(id: UUID().uuidString.lowercased(), model: ref, address: address,
                                              pid: ProcessInfo.processInfo.processIdentifier)
        print("nightjar worker serving \(ref) (sha256 \(info.sha256.prefix(12))) on \(address)")
        if faults.isEnabled {
            print("fault injection: error rate \(injectErrorRate), latency \(injectLatencyMs) ms, starting \(injectAfterSeconds) s after ready")
        }

        let heartbeat = Task {
            while !Task.isCancelled {
                do { try await control.announce(announcement) } catch {
                    logger.warning("heartbeat to \(control.baseURL) failed: \(error)")
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await Termination.wait() }
            if let parentPid {
                group.addTask { await ParentWatch.wait(untilGone: parentPid) }
            }
            await group.next()
            group.cancelAll()
        }
        // Withdraw first so nothing new is routed here, then let what is in flight finish.
        routes.lifecycle.beginDraining()
        heartbeat.cancel()
        try? await control.withdraw(workerID: announcement.id)
        let finished = await routes.drain(timeout: .milliseconds(Int64(drainTimeout * 1000)))
        if !finished {
            logger.warning("drain timeout of \(drainTimeout) s passed with \(routes.lifecycle.inFlight) requests still in flight")
        }
        await service.stop()
        if let predictionLog {
            await predictionLog.close()
            let counts = predictionLog.counts
            if counts.dropped > 0 || counts.writeErrors > 0 {
                logger.warning("prediction log: \(counts.written) written, \(counts.dropped) dropped (buffer full), \(counts.writeErrors) lost to write errors")
            }
        }
    }
}

/// Ends when the process that started us is gone, so a killed demo never leaves workers behind.
enum ParentWatch {
    static func wait(untilGone parent: Int32) async {
        while !Task.isCancelled {
            if getppid() != parent { return }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}
