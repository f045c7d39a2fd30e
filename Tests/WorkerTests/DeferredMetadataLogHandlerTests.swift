import Logging
import ServiceSupport
import Synchronization
import Testing

/// Collects written lines; a class so the handler's copies all write into one place.
final class CollectedLines: TextOutputStream, Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func write(_ string: String) { lines.withLock { $0.append(string) } }
}

/// The worker's log handler must write what swift-log's StreamLogHandler writes, though it formats
/// metadata only when a line is written.
@Suite struct DeferredMetadataLogHandlerTests {
    /// A line less its leading timestamp (two loggers cannot be relied on to write in the same second).
    static func withoutTimestamp(_ line: String) -> Substring {
        line.drop { $0 != " " }
    }

    @Test func writesTheSameLinesAsStreamLogHandler() throws {
        let deferredLines = CollectedLines(), streamLines = CollectedLines()
        var deferred = Logger(label: "nightjar.worker") { DeferredMetadataLogHandler(label: $0, stream: deferredLines) }
        var stream = Logger(label: "nightjar.worker") { StreamLogHandler(label: $0, stream: streamLines, metadataProvider: nil) }
        deferred[metadataKey: "hb.request.id"] = "abc"
        stream[metadataKey: "hb.request.id"] = "abc"
        deferred[metadataKey: "model"] = "fraud"
        stream[metadataKey: "model"] = "fraud"
        for logger in [deferred, stream] {
            logger.info("served")
            // The line's own metadata overrides the logger's under the same key.
            logger.warning("slow", metadata: ["model": "other", "ms": "12"])
            logger.debug("not written at the default level")
        }
        #expect(deferredLines.all.count == 2)
        #expect(deferredLines.all.map(Self.withoutTimestamp) == streamLines.all.map(Self.withoutTimestamp))
        #expect(deferredLines.all.first?.contains("hb.request.id=abc model=fraud") == true)
        #expect(deferredLines.all.last?.contains("hb.request.id=abc model=other ms=12") == true)
    }

    @Test func aLoggerWithoutMetadataWritesNone() {
        let lines = CollectedLines()
        let logger = Logger(label: "nightjar.worker") { DeferredMetadataLogHandler(label: $0, stream: lines) }
        logger.error("failed")
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.hasSuffix("error nightjar.worker: [WorkerTests] failed\n") == true)
    }
}
