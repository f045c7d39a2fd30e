@testable import Gateway
import NIOHTTP1
import Testing

/// Which requests the prediction path claims, read from the method and the path alone.
@Suite struct PredictionPathTests {
    @Test func theFourPredictionShapesAreClaimed() {
        let infer = PredictionPath(method: .POST, uri: "/v2/models/fraud/infer")
        #expect(infer?.endpoint == .inPath("fraud") && infer?.pinned == nil && infer?.call == .infer)
        let pinned = PredictionPath(method: .POST, uri: "/v2/models/fraud/versions/2.1.0/infer")
        #expect(pinned?.endpoint == .inPath("fraud") && pinned?.pinned == "2.1.0" && pinned?.call == .infer)
        let mlflow = PredictionPath(method: .POST, uri: "/endpoints/fraud-detector-eu-west/invocations")
        #expect(mlflow?.endpoint == .inPath("fraud-detector-eu-west") && mlflow?.call == .invocations)
        let byHeader = PredictionPath(method: .POST, uri: "/invocations")
        #expect(byHeader?.endpoint == .inHeader && byHeader?.call == .invocations)
    }

    @Test func emptySegmentsAndQueriesAreReadAsTheRouterReadsThem() {
        #expect(PredictionPath(method: .POST, uri: "/v2/models/fraud/infer/")?.endpoint == .inPath("fraud"))
        #expect(PredictionPath(method: .POST, uri: "//v2//models/fraud/infer")?.endpoint == .inPath("fraud"))
        #expect(PredictionPath(method: .POST, uri: "/v2/models/fraud/infer?trace=1")?.endpoint == .inPath("fraud"))
        #expect(PredictionPath(method: .POST, uri: "/invocations?x=/v2/models/a/infer")?.endpoint == .inHeader)
    }

    @Test func everythingElseIsLeftToTheRouter() {
        #expect(PredictionPath(method: .GET, uri: "/v2/models/fraud/infer") == nil)
        #expect(PredictionPath(method: .POST, uri: "/v2/models/fraud") == nil)
        #expect(PredictionPath(method: .POST, uri: "/v2/models/fraud/ready") == nil)
        #expect(PredictionPath(method: .POST, uri: "/v2/models/fraud/versions/2.1.0/infer/extra") == nil)
        #expect(PredictionPath(method: .POST, uri: "/v2/models/fraud/infer/extra/a/b/c") == nil)
        #expect(PredictionPath(method: .POST, uri: "/v3/models/fraud/infer") == nil)
        #expect(PredictionPath(method: .POST, uri: "/") == nil)
        #expect(PredictionPath(method: .POST, uri: "") == nil)
    }
}
