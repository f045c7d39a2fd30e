import NightjarCore
import Prometheus

/// The control plane's Prometheus gauges, refreshed from the registry and worker directory on each scrape.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    public init() {}

    public func exposition(models: [ModelSummary], workers: [WorkerInfo]) -> String {
        registry.makeGauge(name: "nightjar_registry_model_versions", help: "Model versions stored in the registry")
            .set(Double(models.reduce(0) { $0 + $1.versions.count }))
        for state in [WorkerInfo.State.ready, .lost] {
            registry.makeGauge(name: "nightjar_workers", labels: [("state", state.rawValue)], help: "Known workers by state")
                .set(Double(workers.filter { $0.state == state }.count))
        }
        return registry.emitToString()
    }
}
