import Drift
import Foundation
import NightjarCore
import Synchronization

/// The worker's drift window: every answered prediction's inputs and outputs, tallied against the
/// version's reference profile, and the report comparing them (`GET /v1/drift`).
///
/// Tallying a row costs a binary search per value under one lock, so it stays on the request path;
/// the report runs the statistics (an exact KS p-value per numeric column), so it is computed when
/// asked and reused for `reportInterval`, however many clients poll.
public final class DriftMonitor: PredictionObserver {
    private struct State {
        var window: DriftWindow
        var cached: (report: DriftReport, at: Date)?
    }

    public let profile: ReferenceProfile
    public let thresholds: DriftThresholds
    public let reportInterval: TimeInterval
    private let state: Mutex<State>

    public init(profile: ReferenceProfile, thresholds: DriftThresholds = .standard, reportInterval: TimeInterval = 2,
                bucketSeconds: Int = 60, bucketCount: Int = 10) {
        self.profile = profile
        self.thresholds = thresholds
        self.reportInterval = reportInterval
        state = Mutex(State(window: DriftWindow(profile: profile, bucketSeconds: bucketSeconds, bucketCount: bucketCount)))
    }

    public func observe(_ prediction: ObservedPrediction) {
        state.withLock { s in
            for (name, tensor) in prediction.inputs { s.window.add(tensor: tensor, named: name, at: prediction.at) }
            for (name, tensor) in prediction.outputs { s.window.add(tensor: tensor, named: name, at: prediction.at) }
        }
    }

    public func report(at now: Date = Date()) -> DriftReport {
        // The counts are copied under the lock; the statistics run outside it, so requests never wait on them.
        enum Snapshot { case fresh(DriftReport), stale(WindowCounts) }
        let snapshot = state.withLock { s -> Snapshot in
            if let c = s.cached, now.timeIntervalSince(c.at) < reportInterval { return .fresh(c.report) }
            return .stale(s.window.counts(at: now))
        }
        switch snapshot {
        case .fresh(let report):
            return report
        case .stale(let counts):
            let report = DriftReport.compare(profile: profile, live: counts, thresholds: thresholds)
            state.withLock { $0.cached = (report, now) }
            return report
        }
    }
}
