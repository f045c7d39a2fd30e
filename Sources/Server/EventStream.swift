import Foundation
import Hummingbird
import NightjarCore
import Registry
import ServiceSupport
import Synchronization

/// `GET /api/v1/events`: the timeline as Server-Sent Events, resumable with `Last-Event-ID` (or
/// `?after=ID`), or as one JSON array with `?format=json`; `?newest=N` starts at the last N events.
///
/// Streams read the store rather than an in-memory bus, so a client sees the same events whichever
/// replica it is connected to and nothing is missed across a reconnect.
public final class EventStream: Sendable {
    let store: any DeploymentStore
    let pollInterval: Duration
    /// A stream ends after this long; SSE clients reconnect by themselves with `Last-Event-ID`.
    let maxStreamDuration: Duration
    let keepAliveEvery: Duration
    private let closing = Mutex(false)

    public init(store: any DeploymentStore, pollInterval: Duration = .milliseconds(250),
                maxStreamDuration: Duration = .seconds(300), keepAliveEvery: Duration = .seconds(15)) {
        self.store = store
        self.pollInterval = pollInterval
        self.maxStreamDuration = maxStreamDuration
        self.keepAliveEvery = keepAliveEvery
    }

    /// Ends every open stream, so a graceful shutdown is not held up by clients that never hang up.
    public func close() { closing.withLock { $0 = true } }

    var isClosing: Bool { closing.withLock { $0 } }

    func response(_ request: Request) async throws -> Response {
        let query = try QueryParameters(request, known: ["after", "limit", "newest", "format"])
        // Checked first, so a mistyped format is named rather than answered with the stream.
        let format = try query.choice("format", of: ["json", "sse"]) ?? "sse"
        let afterText = query.text("after") ?? request.headers[.lastEventID] ?? "0"
        guard let after = Int64(afterText), after >= 0 else {
            throw NightjarError.invalidArgument("after: '\(afterText)' is not an event id (a whole number, 0 for the beginning)")
        }
        let limit = try query.count("limit", in: 1...10_000, default: 500)
        // `newest=N` starts from the end of the log rather than its beginning: a console opening on a
        // long history wants what happened lately, not a replay.
        // A reconnecting SSE client repeats the URL with `Last-Event-ID`: resuming wins over starting again.
        var newest: [ControlEvent]?
        if request.headers[.lastEventID] == nil, let count = try query.count("newest", in: 1...10_000) {
            guard query.text("after") == nil else {
                throw NightjarError.invalidArgument("newest: give either newest (the last N events) or after (events past an id), not both")
            }
            newest = try await store.newestEvents(limit: count)
        }
        if format == "json" {
            if let newest { return try Response.json(newest) }
            return try Response.json(try await store.events(after: after, limit: limit))
        }
        let start = newest.map { ($0.first?.id ?? 1) - 1 } ?? after
        let store = self.store
        let (poll, maxDuration, keepAlive) = (pollInterval, maxStreamDuration, keepAliveEvery)
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                let clock = ContinuousClock()
                let started = clock.now
                var lastWrite = clock.now
                var last = start
                try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                while !self.isClosing, clock.now - started < maxDuration {
                    let batch = try await store.events(after: last, limit: 500)
                    for event in batch {
                        try await writer.write(ByteBuffer(string: try Self.frame(event)))
                        last = event.id
                        lastWrite = clock.now
                    }
                    if clock.now - lastWrite >= keepAlive {
                        // A comment line: keeps proxies from closing an idle stream and finds dead clients.
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        lastWrite = clock.now
                    }
                    try await Task.sleep(for: poll)
                }
                try await writer.finish(nil)
            })
    }

    static func frame(_ event: ControlEvent) throws -> String {
        let data = String(decoding: try WireJSON.encoder().encode(event), as: UTF8.self)
        return "id: \(event.id)\nevent: \(event.kind.rawValue)\ndata: \(data)\n\n"
    }
}
