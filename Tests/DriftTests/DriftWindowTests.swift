import Drift
import Foundation
import NightjarCore
import Testing

@Suite struct DriftWindowTests {
    /// On a minute boundary, so bucket arithmetic in the tests is plain.
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func profile() throws -> ReferenceProfile {
        var data = SeededData(seed: 10)
        return try ReferenceProfile.build(
            columns: ["amount": .numeric(data.normals(2000, mean: 50, sd: 10)),
                      "country": .categorical((0..<2000).map { i in ["DE", "FR", "US"][i % 3] })],
            outputs: ["label": .labels((0..<2000).map { $0 % 2 })])
    }

    @Test func mergingTwoWindowsEqualsOneWindowFedBoth() throws {
        let profile = try Self.profile()
        var data = SeededData(seed: 11)
        var left = DriftWindow(profile: profile), right = DriftWindow(profile: profile), both = DriftWindow(profile: profile)
        for i in 0..<1200 {
            // Spread over 8 minutes, so several buckets are involved on both sides.
            let time = Self.start.addingTimeInterval(Double(i) * 0.4)
            let amount = i % 50 == 0 ? Double.nan : data.normal(mean: 50, sd: 10)
            let country = ["DE", "FR", "US", "JP"][i % 4]
            for window in [i % 3 == 0 ? 0 : 1, 2] {
                func feed(_ w: inout DriftWindow) {
                    w.add(amount, column: "amount", at: time)
                    w.add(country, column: "country", at: time)
                    w.add(Double(i % 2), column: "label", at: time)
                }
                switch window {
                case 0: feed(&left)
                case 1: feed(&right)
                default: feed(&both)
                }
            }
        }
        try left.merge(right)
        let now = Self.start.addingTimeInterval(9 * 60)
        let merged = left.counts(at: now), single = both.counts(at: now)
        #expect(merged == single)
        let amount = try #require(single.column(named: "amount"))
        #expect(amount.count == 1200)
        #expect(amount.missing == 24)
        #expect(amount.sample.count == 1176)
        // JP is not a reference category: it lands in `other`.
        #expect(try #require(single.column(named: "country")).bins == [300, 300, 300, 300])
        #expect(try #require(single.column(named: "label")).bins == [600, 600, 0])
    }

    @Test func windowsFromDifferentProfilesDoNotMerge() throws {
        var window = DriftWindow(profile: try Self.profile())
        let other = DriftWindow(profile: try ReferenceProfile.build(columns: ["x": .numeric([1, 2, 3])]))
        #expect(throws: NightjarError.self) { try window.merge(other) }
        #expect(throws: NightjarError.self) { try window.merge(DriftWindow(profile: try Self.profile(), bucketSeconds: 30)) }
    }

    @Test func oldBucketsSlideOutOfTheWindow() throws {
        var window = DriftWindow(profile: try Self.profile(), bucketSeconds: 60, bucketCount: 10)
        #expect(window.windowSeconds == 600)
        for _ in 0..<5 { window.add(40, column: "amount", at: Self.start) }
        for _ in 0..<3 { window.add(60, column: "amount", at: Self.start.addingTimeInterval(5 * 60 + 1)) }

        let early = try #require(window.counts(at: Self.start.addingTimeInterval(9 * 60 + 59)).column(named: "amount"))
        #expect(early.count == 8)
        let later = try #require(window.counts(at: Self.start.addingTimeInterval(10 * 60)).column(named: "amount"))
        #expect(later.count == 3)
        #expect(later.sample == [60, 60, 60])
        let quiet = try #require(window.counts(at: Self.start.addingTimeInterval(30 * 60)).column(named: "amount"))
        #expect(quiet.count == 0)

        // Time moves on: the minute-0 slot is reused, and a value older than the window is refused.
        let recent = window.add(70, column: "amount", at: Self.start.addingTimeInterval(10 * 60 + 5))
        #expect(recent)
        let tooOld = window.add(30, column: "amount", at: Self.start.addingTimeInterval(-1))
        #expect(!tooOld)
        let now = try #require(window.counts(at: Self.start.addingTimeInterval(10 * 60 + 5)).column(named: "amount"))
        #expect(now.sample == [60, 60, 60, 70])
    }

    @Test func requestTensorsFeedTheirColumns() throws {
        var data = SeededData(seed: 12)
        let profile = try ReferenceProfile.build(
            columns: ["features[0]": .numeric(data.normals(100)), "features[1]": .numeric(data.normals(100)),
                      "tier": .categorical(["gold", "basic"])],
            outputs: ["label": .labels([0, 1, 2])])
        var window = DriftWindow(profile: profile)
        // Element 2 of each row is not watched and is skipped.
        window.add(tensor: Tensor(shape: [2, 3], data: .float([1, 2, 3, 4, 5, 6])), named: "features", at: Self.start)
        window.add(tensor: Tensor(shape: [2], data: .string(["gold", "platinum"])), named: "tier", at: Self.start)
        window.add(tensor: Tensor(shape: [2], data: .int64([2, 7])), named: "label", at: Self.start)
        window.add(tensor: Tensor(shape: [2], data: .int64([1, 1])), named: "unwatched", at: Self.start)
        let unwatched = window.add(1, column: "unwatched", at: Self.start)
        #expect(!unwatched)

        let counts = window.counts(at: Self.start)
        #expect(try #require(counts.column(named: "features[0]")).sample == [1, 4])
        #expect(try #require(counts.column(named: "features[1]")).sample == [2, 5])
        // Categories tie at one each, so they are in name order: basic, gold, then other.
        #expect(try #require(counts.column(named: "tier")).bins == [0, 1, 1])
        let labels = try #require(counts.column(named: "label"))
        #expect(labels.bins.reduce(0, +) == 2)
        #expect(labels.bins.last == 1)
    }

    /// One rule for integers on both sides: an integer input is a measurement wherever it is read
    /// (a profile built from logged requests, the live window), and only a classifier's label output
    /// (`.labels`) is a category. The window follows the profile's kind for every column.
    @Test func integerInputsAreNumericInTheProfileAndTheWindowAlike() throws {
        let lines = (0..<200).map { i in
            #"{"inputs":[{"name":"age","shape":[1],"datatype":"INT64","data":[\#(20 + i % 50)]},"#
                + #"{"name":"visits","shape":[1,2],"datatype":"INT32","data":[[\#(i % 7), \#(i % 3)]]}]}"#
        }
        let profile = try ReferenceProfile.build(inferenceRequestsJSONL: lines.joined(separator: "\n"))
        #expect(profile.column(named: "age")?.kind == .numeric)
        #expect(profile.column(named: "visits[1]")?.kind == .numeric)
        var window = DriftWindow(profile: profile)
        window.add(tensor: Tensor(shape: [2], data: .int64([30, 999])), named: "age", at: Self.start)
        window.add(tensor: Tensor(shape: [1, 2], data: .int32([4, 2])), named: "visits", at: Self.start)
        let counts = window.counts(at: Self.start)
        let age = try #require(counts.column(named: "age"))
        #expect(age.kind == .numeric && age.sample == [30, 999])
        let visits = try #require(counts.column(named: "visits[1]"))
        #expect(visits.kind == .numeric && visits.sample == [2])
    }

    @Test func rowsByNameAndLabelsAsNumbersAreCounted() throws {
        var window = DriftWindow(profile: try Self.profile())
        window.add(row: ["amount": 55, "label": 1, "not watched": 3], at: Self.start)
        window.add(row: ["amount": .infinity, "label": 0.5], at: Self.start)
        let counts = window.counts(at: Self.start)
        let amount = try #require(counts.column(named: "amount"))
        #expect(amount.sample == [55])
        #expect(amount.missing == 1)
        // 1 is a reference label; 0.5 is no label at all, so it counts as `other`.
        #expect(try #require(counts.column(named: "label")).bins == [0, 1, 1])
    }

    @Test func samplesStayBoundedUnderHeavyTraffic() throws {
        var window = DriftWindow(profile: try Self.profile(), samplePerBucket: 64, sampleSize: 200)
        var data = SeededData(seed: 13)
        for i in 0..<20_000 {
            window.add(data.normal(mean: 50, sd: 10), column: "amount", at: Self.start.addingTimeInterval(Double(i % 600)))
        }
        let amount = try #require(window.counts(at: Self.start.addingTimeInterval(599)).column(named: "amount"))
        #expect(amount.count == 20_000)
        #expect(amount.sample.count == 200)
        // A uniform draw from N(50, 10): its median is near 50.
        #expect(abs(amount.sample[100] - 50) < 3)
    }
}
