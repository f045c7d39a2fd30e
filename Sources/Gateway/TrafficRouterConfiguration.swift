extension TrafficRouter {
    /// The gateway's knobs. Defaults suit one machine; every value is documented in docs/gateway.md.
    public struct Configuration: Sendable {
        /// Longest a client request may take through the gateway, retry included; past it the client gets 504.
        public var requestTimeout: Duration
        /// Header pinning a request to a version of the endpoint's deployment (any weight, even 0).
        public var versionHeader: String
        /// Header whose value keeps a client on one version across requests; nil turns sticky routing off.
        public var stickyKeyHeader: String?
        /// Header naming the endpoint for MLflow's `POST /invocations`, which has no endpoint in its path.
        public var endpointHeader: String
        /// Consecutive failures (connection failures, timeouts, 5xx answers) that eject a worker.
        public var ejectionThreshold: Int
        /// How long an ejected worker gets no traffic before it is tried again.
        public var ejectionDuration: Duration
        /// Largest request body forwarded; larger ones get 413 from the gateway.
        public var maxRequestBytes: Int
        /// Largest answer accepted from a worker; a larger one is a 502.
        public var maxResponseBytes: Int
        /// Seconds of history in per-version latency percentiles and rates.
        public var statsWindowSeconds: Int
        /// Mirrored requests allowed in flight at once; copies beyond it are dropped and counted.
        public var maxShadowInFlight: Int
        /// Longest wait for a new connection to a worker; past it the worker counts as unreachable.
        public var connectTimeout: Duration
        /// Idle keep-alive connections kept open to each worker, per event loop of the gateway.
        public var idleConnectionsPerWorker: Int

        public init(requestTimeout: Duration = .seconds(30), versionHeader: String = "x-nightjar-version",
                    stickyKeyHeader: String? = "x-nightjar-key", endpointHeader: String = "x-nightjar-endpoint",
                    ejectionThreshold: Int = 5, ejectionDuration: Duration = .seconds(10),
                    maxRequestBytes: Int = 8 << 20, maxResponseBytes: Int = 64 << 20,
                    statsWindowSeconds: Int = 10, maxShadowInFlight: Int = 64,
                    connectTimeout: Duration = .seconds(1), idleConnectionsPerWorker: Int = 64) {
            self.requestTimeout = requestTimeout
            self.versionHeader = versionHeader
            self.stickyKeyHeader = stickyKeyHeader
            self.endpointHeader = endpointHeader
            self.ejectionThreshold = ejectionThreshold
            self.ejectionDuration = ejectionDuration
            self.maxRequestBytes = maxRequestBytes
            self.maxResponseBytes = maxResponseBytes
            self.statsWindowSeconds = statsWindowSeconds
            self.maxShadowInFlight = maxShadowInFlight
            self.connectTimeout = connectTimeout
            self.idleConnectionsPerWorker = idleConnectionsPerWorker
        }
    }
}
