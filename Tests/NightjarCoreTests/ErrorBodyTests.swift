import Foundation
import NightjarCore
import Testing

@Suite struct ErrorBodyTests {
    @Test func fieldIsTheLeadingNameOfAMessageAboutOneField() {
        #expect(NightjarError.invalidArgument("weights: 1.0.0 50% add up to 50%, not 100%").field == "weights")
        #expect(NightjarError.invalidArgument("plan.steps: [10, 5] must be increasing").field == "plan.steps")
        #expect(NightjarError.invalidArgument("inputs[0].datatype: is missing").field == "inputs[0].datatype")
        #expect(NightjarError.conflict("fraud changed since you looked: revision 2").field == nil)
        #expect(NightjarError.invalidArgument("input 'x': shape [2] needs 2 values").field == nil)
        #expect(NightjarError.notFound("no endpoint named 'fraud'").field == nil)
    }

    @Test func structuredBodyCarriesCodeMessageAndField() throws {
        let body = StructuredErrorBody(NightjarError.invalidArgument("weights: add up to 90%, not 100%"))
        let json = try JSONEncoder().encode(body)
        let object = try #require(JSONSerialization.jsonObject(with: json) as? [String: [String: String]])
        #expect(object["error"] == ["code": "invalid_argument", "message": "weights: add up to 90%, not 100%", "field": "weights"])
    }

    @Test func clientsReadTheMessageOfEitherBody() {
        #expect(StructuredErrorBody.message(in: Data(#"{"error":{"code":"conflict","message":"stale"}}"#.utf8)) == "stale")
        #expect(StructuredErrorBody.message(in: Data(#"{"error":"input 'x' is missing"}"#.utf8)) == "input 'x' is missing")
        #expect(StructuredErrorBody.message(in: Data("<html>".utf8)) == nil)
    }
}
