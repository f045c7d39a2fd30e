import Foundation
import NightjarCore
import Testing

/// A sticky key as operators write it (`--sticky`, plan files) and as the API stores it.
@Suite struct StickyKeyTests {
    @Test func theCLIFormNamesAHeaderOrAnInput() throws {
        #expect(try DeploymentRouting.StickyKey(parsing: "header:X-User-Id") == .init(header: "x-user-id"))
        #expect(try DeploymentRouting.StickyKey(parsing: "input:user_id") == .init(input: "user_id"))
        #expect(DeploymentRouting.StickyKey(input: "UserId").description == "input:UserId")
        for bad in ["user_id", "input:", "cookie:session", ":x"] {
            #expect(throws: NightjarError.self, "'\(bad)' was accepted") { try DeploymentRouting.StickyKey(parsing: bad) }
        }
    }

    @Test func itIsStoredAsOneNamedFieldAndOlderRowsStillRead() throws {
        let routing = DeploymentRouting(sticky: .init(input: "user_id"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(routing), as: UTF8.self)
        #expect(json == #"{"headerMatches":[],"sticky":{"input":"user_id"}}"#)
        #expect(try JSONDecoder().decode(DeploymentRouting.self, from: Data(json.utf8)) == routing)
        let older = try JSONDecoder().decode(DeploymentRouting.self, from: Data(#"{"sticky":{"header":"x-user-id"}}"#.utf8))
        #expect(older.sticky == .init(header: "x-user-id") && older.sticky?.header == "x-user-id" && older.sticky?.input == nil)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(DeploymentRouting.self, from: Data(#"{"sticky":{"header":"x-a","input":"b"}}"#.utf8))
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DeploymentRouting.self, from: Data(#"{"sticky":{}}"#.utf8)) }
    }

    @Test func validationNamesTheFieldAtFault() {
        for (routing, field) in [(DeploymentRouting(sticky: .init(input: "user id")), "routing.sticky.input"),
                                 (DeploymentRouting(sticky: .init(input: "")), "routing.sticky.input"),
                                 (DeploymentRouting(sticky: .init(header: "x user")), "routing.sticky.header")] {
            do {
                try routing.validate(weights: [])
                Issue.record("\(routing.summary) was accepted")
            } catch {
                #expect(error.description.hasPrefix(field + ":"), "\(error.description)")
            }
        }
    }
}
