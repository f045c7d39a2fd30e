import Testing
@testable import NightjarCore

@Suite struct SemVerTests {
    @Test func parsesAndPrints() throws {
        #expect(try SemVer(parsing: "1.2.3").description == "1.2.3")
        #expect(try SemVer(parsing: "2.0.0-rc.1").preRelease == ["rc", "1"])
    }

    @Test func ordersPreReleasesBeforeReleases() throws {
        let versions = try ["1.0.0", "1.0.0-rc.2", "1.0.0-rc.10", "0.9.9", "1.0.0-alpha"].map { try SemVer(parsing: $0) }
        #expect(versions.sorted().map(\.description) == ["0.9.9", "1.0.0-alpha", "1.0.0-rc.2", "1.0.0-rc.10", "1.0.0"])
    }

    @Test(arguments: ["1.2", "1.2.3.4", "01.2.3", "a.b.c", "1.2.3-", "1.2.3-rc..1", ""])
    func rejectsNonSemver(_ text: String) {
        #expect(throws: NightjarError.self) { try SemVer(parsing: text) }
    }

    @Test func parsesModelRefs() throws {
        let ref = try ModelRef(parsing: "fraud@2.1.0")
        #expect(ref.name == "fraud" && ref.version == SemVer(2, 1, 0))
        #expect(throws: NightjarError.self) { try ModelRef(parsing: "fraud") }
        #expect(throws: NightjarError.self) { try ModelRef(parsing: "../etc@1.0.0") }
    }
}
