import Client
import Foundation
import Gateway
import NightjarCore

/// Synthetic clients for the demo: requests at a steady rate through the gateway, as real clients
/// would send them, split between the demo's endpoints. A small share of the calm endpoint's requests
/// are malformed (a client on an old schema), so its error column has something real in it; the
/// endpoint under rollout gets only well-formed requests, so whatever fails there is the model's doing.
struct TrafficGenerator: Sendable {
    let gatewayURL: String
    let rate: Double
    let rows: [[Float]]

    /// When, and how much, the fraud endpoint's first feature shifts: an upstream change the drift
    /// panels should catch. Nil keeps the inputs as sampled.
    let driftAfter: Duration?
    static let driftShift: Float = 1.5

    /// Share of requests per endpoint, and how many in a thousand of each are sent malformed (few
    /// enough that the calm endpoint stays healthy).
    static let endpoints: [(name: String, weight: Int, malformedPerMille: Int)] = [("fraud", 70, 0), ("risk", 30, 5)]

    func run() async {
        guard !rows.isEmpty, rate > 0,
              let picker = try? WeightedPicker(Self.endpoints.map { (target: $0, weight: $0.weight) }) else { return }
        let client = WorkerClient(baseURL: gatewayURL)
        let started = ContinuousClock.now
        var generator = SystemRandomNumberGenerator()
        let interval = Duration.seconds(1 / rate)
        var sequence = 0
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let endpoint = picker.pick(using: &generator)
                let malformed = Int.random(in: 0..<1000, using: &generator) < endpoint.malformedPerMille
                let drifting = endpoint.name == "fraud" && driftAfter.map { ContinuousClock.now - started >= $0 } == true
                let request = makeRequest(id: sequence, malformed: malformed, shift: drifting ? Self.driftShift : 0, generator: &generator)
                sequence += 1
                group.addTask { _ = try? await client.infer(model: endpoint.name, request) }
                try? await Task.sleep(for: interval)
            }
            group.cancelAll()
        }
    }

    private func makeRequest(id: Int, malformed: Bool, shift: Float, generator: inout SystemRandomNumberGenerator) -> InferRequest {
        var row = rows[Int.random(in: 0..<rows.count, using: &generator)]
        if shift != 0, !row.isEmpty { row[0] += shift }
        // A malformed request drops a feature, as a client on an old schema would.
        let values = malformed ? Array(row.dropLast()) : row
        return InferRequest(
            id: "demo-\(id)",
            inputs: [InferTensor(name: "features", shape: [1, row.count], datatype: "FP32",
                                      data: values.map { .double(Double($0)) })])
    }
}
