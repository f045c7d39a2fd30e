import Foundation
import NightjarCore
import Testing
import Worker

@Suite struct PredictionLogTests {
    let ref = ModelRef(name: "fraud", version: SemVer(1, 0, 0))

    func prediction(_ i: Int) -> ObservedPrediction {
        ObservedPrediction(model: ref, id: "r\(i)", inputs: ["features": Tensor(shape: [1, 2], data: .float([Float(i), 0.5]))],
                           outputs: ["label": Tensor(shape: [1], data: .int64([Int64(i % 2)]))], at: Date(), latency: .microseconds(250))
    }

    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func writesJSONLinesWithRedactedFields() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("predictions.jsonl").path
        let log = PredictionLog(configuration: try .init(path: path, redact: ["features"]))
        for i in 0..<3 { log.observe(prediction(i)) }
        await log.close()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["id"] as? String == "r0")
        #expect(first["model"] as? String == "fraud@1.0.0")
        #expect((first["inputs"] as? [String: Any])?["features"] as? String == "[redacted]")
        let label = try #require((first["outputs"] as? [String: Any])?["label"] as? [String: Any])
        #expect(label["datatype"] as? String == "INT64")
        #expect(log.counts == .init(written: 3, dropped: 0, writeErrors: 0))
    }

    @Test func rotatesBySizeAndKeepsOnlySomeFiles() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("p.jsonl").path
        let log = PredictionLog(configuration: try .init(path: path, maxFileBytes: 600, keepFiles: 2))
        for i in 0..<40 { log.observe(prediction(i)) }
        await log.close()
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files == ["p.jsonl", "p.jsonl.1", "p.jsonl.2"])
        for f in files {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(f).path)[.size] as? Int)
            #expect(size <= 600, "\(f) is \(size) bytes")
        }
        // The newest prediction is in the current file.
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains(#""id":"r39""#))
    }

    @Test func samplesAndDropsWhenTheWriterCannotKeepUp() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let none = PredictionLog(configuration: try .init(path: dir.appendingPathComponent("none.jsonl").path, sampleRate: 0))
        for i in 0..<100 { none.observe(prediction(i)) }
        await none.close()
        #expect(none.counts == .init())

        // A buffer of one and 5000 predictions handed over at once: the writer, which encodes JSON and
        // writes a file per line, cannot take them as fast as they come, so most are dropped and counted.
        let tiny = PredictionLog(configuration: try .init(path: dir.appendingPathComponent("tiny.jsonl").path, bufferCapacity: 1))
        for i in 0..<5000 { tiny.observe(prediction(i)) }
        await tiny.close()
        let counts = tiny.counts
        #expect(counts.written + counts.dropped == 5000)
        #expect(counts.dropped > 0)
        #expect(counts.written >= 1)
    }

    @Test func refusesASampleRateThatIsNotAShare() {
        #expect(throws: NightjarError.self) { try PredictionLog.Configuration(path: "/tmp/x", sampleRate: 2) }
    }
}

@Suite struct PredictionLogStatsTests {
    @Test func theWorkerReportsItsPredictionLogInStats() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nightjar-log-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = PredictionLog(configuration: try .init(path: dir.appendingPathComponent("p.jsonl").path))
        let worker = try await RunningWorker.start(observers: [log])
        for _ in 0..<3 { _ = try await worker.post("/v2/models/fraud/infer", body: RunningWorker.fraudRequest([[1, 2, 3, 4, 5, 6]])) }
        await log.close()
        let stats = try JSONDecoder().decode(StatsSnapshot.self, from: Data(try await worker.get("/v1/stats").body.utf8))
        #expect(stats.predictionLog == PredictionLogStats(written: 3, dropped: 0, writeErrors: 0))
        let first = try #require(try String(contentsOfFile: dir.appendingPathComponent("p.jsonl").path, encoding: .utf8).split(separator: "\n").first)
        #expect(first.contains(#""ts":""#) && first.contains("Z\""))
        await worker.stop()
    }
}
