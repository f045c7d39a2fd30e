import Foundation
import NightjarCore
import ServiceSupport
import Synchronization

/// Writes a sample of answered predictions as JSON Lines, off the request path.
///
/// `observe` (on the request path) only draws the sample and appends to a bounded buffer; when the
/// buffer is full the prediction is dropped and counted, so a slow disk never slows serving. A
/// background task encodes and writes the buffer, rotates the file past `maxFileBytes`
/// (`log.jsonl` → `log.jsonl.1` → …) and keeps `keepFiles` rotated files.
public final class PredictionLog: PredictionObserver {
    public struct Configuration: Sendable, Equatable {
        public var path: String
        /// Share of predictions written, 0...1.
        public var sampleRate: Double
        /// Inputs and outputs whose values are replaced by "[redacted]".
        public var redact: Set<String>
        public var maxFileBytes: Int
        /// Rotated files kept besides the current one.
        public var keepFiles: Int
        /// Predictions waiting to be written; beyond it they are dropped and counted.
        public var bufferCapacity: Int

        public init(path: String, sampleRate: Double = 1, redact: Set<String> = [], maxFileBytes: Int = 64 << 20,
                    keepFiles: Int = 5, bufferCapacity: Int = 10_000) throws(NightjarError) {
            guard sampleRate.isFinite, (0...1).contains(sampleRate) else {
                throw .invalidArgument("--log-sample-rate must be between 0 and 1, not \(sampleRate)")
            }
            guard maxFileBytes > 0, keepFiles >= 0, bufferCapacity > 0 else {
                throw .invalidArgument("--log-max-bytes and --log-buffer must be positive, --log-keep not negative")
            }
            self.path = path
            self.sampleRate = sampleRate
            self.redact = redact
            self.maxFileBytes = maxFileBytes
            self.keepFiles = keepFiles
            self.bufferCapacity = bufferCapacity
        }
    }

    public struct Counts: Sendable, Equatable {
        public var written = 0
        public var dropped = 0
        public var writeErrors = 0

        public init(written: Int = 0, dropped: Int = 0, writeErrors: Int = 0) {
            self.written = written
            self.dropped = dropped
            self.writeErrors = writeErrors
        }
    }

    struct State {
        var buffer: [ObservedPrediction] = []
        var counts = Counts()
        var wake: CheckedContinuation<Void, Never>?
        var stopped = false
    }

    /// The state both the request path and the writer task touch.
    final class Shared: Sendable {
        let state = Mutex(State())
    }

    public let configuration: Configuration
    private let shared: Shared
    private let writer: Task<Void, Never>

    public init(configuration: Configuration) {
        self.configuration = configuration
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.wakeups = continuation
        let shared = Shared()
        self.shared = shared
        writer = Task.detached {
            var file = LogFile(configuration: configuration)
            for await _ in stream {
                let (batch, stopped) = shared.state.withLock { s in
                    let b = s.buffer
                    s.buffer = []
                    return (b, s.stopped)
                }
                if !batch.isEmpty {
                    let failed = file.append(batch.map { PredictionLog.line($0, redact: configuration.redact) })
                    shared.state.withLock { s in
                        if failed { s.counts.writeErrors += batch.count } else { s.counts.written += batch.count }
                    }
                }
                if stopped { break }
            }
            file.close()
        }
    }

    private let wakeups: AsyncStream<Void>.Continuation

    public var counts: Counts { shared.state.withLock { $0.counts } }

    public func observe(_ prediction: ObservedPrediction) {
        guard configuration.sampleRate > 0, Double.random(in: 0..<1) < configuration.sampleRate else { return }
        let accepted = shared.state.withLock { s in
            guard !s.stopped, s.buffer.count < configuration.bufferCapacity else {
                s.counts.dropped += 1
                return false
            }
            s.buffer.append(prediction)
            return true
        }
        if accepted { wakeups.yield() }
    }

    /// Writes what is buffered and closes the file.
    public func close() async {
        shared.state.withLock { $0.stopped = true }
        wakeups.yield()
        wakeups.finish()
        await writer.value
    }

    struct Line: Encodable {
        /// ISO 8601 with milliseconds: many predictions share a second.
        var ts: String
        var model: String
        var id: String?
        var latency_ms: Double
        var inputs: [String: LoggedTensor]
        var outputs: [String: LoggedTensor]
    }

    enum LoggedTensor: Encodable {
        case tensor(InferTensor)
        case redacted

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .tensor(let t):
                var c = encoder.container(keyedBy: Keys.self)
                try c.encode(t.datatype, forKey: .datatype)
                try c.encode(t.shape, forKey: .shape)
                try c.encode(t.data, forKey: .data)
            case .redacted:
                var c = encoder.singleValueContainer()
                try c.encode("[redacted]")
            }
        }
        enum Keys: String, CodingKey { case datatype, shape, data }
    }

    static func line(_ p: ObservedPrediction, redact: Set<String>) -> Data {
        func logged(_ tensors: [String: Tensor]) -> [String: LoggedTensor] {
            Dictionary(uniqueKeysWithValues: tensors.map { name, t in
                (name, redact.contains(name) ? .redacted : .tensor(InferTensor(name: name, tensor: t)))
            })
        }
        let line = Line(ts: p.at.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)), model: p.model.description, id: p.id,
                        latency_ms: Double(WorkerStats.micros(p.latency)) / 1000,
                        inputs: logged(p.inputs), outputs: logged(p.outputs))
        var data = (try? WireJSON.encoder().encode(line)) ?? Data(#"{"error":"unencodable prediction"}"#.utf8)
        data.append(0x0A)
        return data
    }
}

/// The current log file with size rotation. Owned by the writer task alone.
struct LogFile {
    let configuration: PredictionLog.Configuration
    private var handle: FileHandle?
    private var size = 0

    init(configuration: PredictionLog.Configuration) {
        self.configuration = configuration
    }

    /// Appends lines, rotating first when they would overflow the file; true when writing failed.
    mutating func append(_ lines: [Data]) -> Bool {
        do {
            for line in lines {
                if handle == nil { try open() }
                if size > 0, size + line.count > configuration.maxFileBytes { try rotate() }
                try handle?.write(contentsOf: line)
                size += line.count
            }
            return false
        } catch {
            try? handle?.close()
            handle = nil
            return true
        }
    }

    private mutating func open() throws {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: configuration.path)
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !fm.fileExists(atPath: configuration.path), !fm.createFile(atPath: configuration.path, contents: nil) {
            throw NightjarError.unavailable("cannot create prediction log \(configuration.path)")
        }
        let h = try FileHandle(forWritingTo: url)
        size = Int(try h.seekToEnd())
        handle = h
    }

    private mutating func rotate() throws {
        try handle?.close()
        handle = nil
        let fm = FileManager.default
        let path = configuration.path
        if configuration.keepFiles == 0 {
            try? fm.removeItem(atPath: path)
        } else {
            try? fm.removeItem(atPath: "\(path).\(configuration.keepFiles)")
            for i in stride(from: configuration.keepFiles - 1, through: 1, by: -1) where fm.fileExists(atPath: "\(path).\(i)") {
                try fm.moveItem(atPath: "\(path).\(i)", toPath: "\(path).\(i + 1)")
            }
            try fm.moveItem(atPath: path, toPath: "\(path).1")
        }
        try open()
    }

    mutating func close() {
        try? handle?.close()
        handle = nil
    }
}
