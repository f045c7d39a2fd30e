import Client
import Foundation
import Gateway
import NightjarCore

/// Synthetic clients for the demo: requests at a steady rate, split between the stable and the newer
/// version by weight, with a small share of deliberately malformed requests so the error panels have
/// something real to show. The newer version gets more of those, as a misbehaving canary would.
struct TrafficGenerator: Sendable {
    let targets: [DemoStack.RunningWorker]
    let canaryPercent: Int
    let rate: Double
    let rows: [[Float]]

    /// Percent of requests sent malformed, for the stable and for the newer version.
    static let stableBadPercent = 1
    static let canaryBadPercent = 4

    func run() async {
        guard let stable = targets.first, let canary = targets.last, !rows.isEmpty, rate > 0 else { return }
        let split = max(0, min(100, canaryPercent))
        guard let picker = try? WeightedPicker([(target: stable, weight: 100 - split), (target: canary, weight: split)]) else { return }
        let clients = Dictionary(targets.map { ($0.address, WorkerClient(baseURL: $0.address)) }, uniquingKeysWith: { a, _ in a })
        var generator = SystemRandomNumberGenerator()
        let interval = Duration.seconds(1 / rate)
        var sequence = 0
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let target = picker.pick(using: &generator)
                let badPercent = target.ref == stable.ref && targets.count > 1 ? Self.stableBadPercent : Self.canaryBadPercent
                let request = makeRequest(id: sequence, malformed: Int.random(in: 0..<100, using: &generator) < badPercent,
                                          generator: &generator)
                sequence += 1
                if let client = clients[target.address] {
                    group.addTask { _ = try? await client.infer(model: target.ref.name, request) }
                }
                try? await Task.sleep(for: interval)
            }
            group.cancelAll()
        }
    }

    private func makeRequest(id: Int, malformed: Bool, generator: inout SystemRandomNumberGenerator) -> InferRequest {
        let row = rows[Int.random(in: 0..<rows.count, using: &generator)]
        // A malformed request drops a feature, as a client on an old schema would.
        let values = malformed ? Array(row.dropLast()) : row
        return InferRequest(
            id: "demo-\(id)",
            inputs: [InferTensor(name: "features", shape: [1, row.count], datatype: "FP32",
                                      data: values.map { .double(Double($0)) })])
    }
}
