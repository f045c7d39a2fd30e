import AsyncHTTPClient
import Foundation
import NIOCore
import NightjarCore
import Synchronization

/// Reads each ready worker's drift report (`GET /v1/drift`) so that endpoint status and rollout
/// analysis can use it. A version's report is its worst worker's. A worker without a reference
/// profile answers 404 and contributes nothing; one that does not answer keeps its last report
/// until it is gone from the directory.
public final class DriftPoller: Sendable {
    private let http: HTTPClient
    private let reports = Mutex<[String: (model: ModelRef, report: DriftReport)]>([:])

    public init(http: HTTPClient = .shared) {
        self.http = http
    }

    /// The worst report among the version's workers.
    public func report(for ref: ModelRef) -> DriftReport? {
        reports.withLock { all in
            all.values.filter { $0.model == ref }.map(\.report).max { $0.verdict.severity < $1.verdict.severity }
        }
    }

    /// Asks every worker once, concurrently, each bounded by `timeout`.
    public func poll(_ workers: [WorkerInfo], timeout: TimeAmount = .seconds(2)) async {
        let live = Set(workers.map(\.address))
        reports.withLock { all in all = all.filter { live.contains($0.key) } }
        await withTaskGroup(of: Void.self) { group in
            for worker in workers where worker.state == .ready {
                group.addTask {
                    guard let report = await self.fetch(worker.address, timeout: timeout) else { return }
                    self.reports.withLock { $0[worker.address] = (worker.model, report) }
                }
            }
        }
    }

    private func fetch(_ address: String, timeout: TimeAmount) async -> DriftReport? {
        do {
            let response = try await http.execute(HTTPClientRequest(url: address + "/v1/drift"), timeout: timeout)
            let body = try await response.body.collect(upTo: 8 << 20)
            guard response.status == .ok else { return nil }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(DriftReport.self, from: Data(buffer: body))
        } catch {
            return nil
        }
    }
}
