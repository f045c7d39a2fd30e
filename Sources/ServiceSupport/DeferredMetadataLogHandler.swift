import Logging

/// Swift-log's `StreamLogHandler` (standard error), except that metadata is turned into text when a
/// line is written rather than whenever it is set.
///
/// Hummingbird gives every request a logger with a fresh `hb.request.id`, and `StreamLogHandler`
/// formats its whole metadata (sorting it, describing each value) on every change: a worker under
/// load paid about 3% of its CPU formatting request ids for log lines it almost never writes.
/// The lines written are the same as `StreamLogHandler`'s.
public struct DeferredMetadataLogHandler: LogHandler {
    /// Writes the lines; its own metadata and provider stay empty, this handler merges them.
    private var stream: StreamLogHandler
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    /// Writes to standard error.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.init(stream: StreamLogHandler.standardError(label: label, metadataProvider: nil), metadataProvider: metadataProvider)
    }

    /// Writes to `stream` (a test reads the lines back).
    public init(label: String, stream: any TextOutputStream & Sendable, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(stream: StreamLogHandler(label: label, stream: stream, metadataProvider: nil), metadataProvider: metadataProvider)
    }

    private init(stream: StreamLogHandler, metadataProvider: Logger.MetadataProvider?) {
        self.stream = stream
        self.metadataProvider = metadataProvider
    }

    public var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Merged in StreamLogHandler's order: the logger's metadata, then the provider's, then the line's own.
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, explicit in explicit }
        }
        var event = event
        event.metadata = merged.isEmpty ? nil : merged
        stream.log(event: event)
    }
}
