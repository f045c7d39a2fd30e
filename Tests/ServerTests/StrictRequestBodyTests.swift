import AsyncHTTPClient
import NIOHTTP1
import Foundation
import NightjarCore
import Testing

/// Control-plane request bodies are read strictly: a key the API does not know, at any depth, is a 400
/// naming its path, and a value of the wrong type names its field — never a silent default.
@Suite struct StrictRequestBodyTests {
    /// Sends `body` as JSON and returns the status and the error body, if any.
    static func send(_ cp: RunningControlPlane, _ method: HTTPMethod, _ path: String, _ body: String,
                     headers: [(String, String)] = []) async throws -> (status: UInt, error: StructuredErrorBody.Detail?) {
        var request = HTTPClientRequest(url: cp.server.url + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(cp.adminToken)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(.init(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let data = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        return (response.status.code, try? JSONDecoder().decode(StructuredErrorBody.self, from: data).error)
    }

    @Test func unknownKeysAreRefusedAtAnyDepthNamingTheirPath() async throws {
        let cp = try await TrafficTests.seeded()
        defer { Task { await cp.stop() } }
        let created = try await Self.send(cp, .PUT, "/api/v1/endpoints/fraud",
                                          #"{"weights":[{"version":"1.0.0","weight":100}],"reason":"launch"}"#)
        #expect(created.status == 200, "\(String(describing: created.error))")

        // A misspelt revision must not apply the change without the revision check.
        let misspelt = try await Self.send(cp, .PUT, "/api/v1/endpoints/fraud",
                                           #"{"weights":[{"version":"1.1.0","weight":100}],"reason":"r","revison":1}"#)
        #expect(misspelt.status == 400)
        #expect(misspelt.error?.field == "revison")
        #expect(misspelt.error?.message.contains("unknown field") == true && misspelt.error?.message.contains("revision") == true,
                "\(String(describing: misspelt.error))")
        #expect(try await cp.client.endpoint("fraud").deployment.revision == 1)

        let nested = try await Self.send(cp, .PUT, "/api/v1/endpoints/fraud",
                                         #"{"weights":[{"version":"1.1.0","weight":100,"wieght":5}],"reason":"r"}"#)
        #expect(nested.status == 400 && nested.error?.field == "weights[0].wieght", "\(String(describing: nested.error))")

        // A misspelt rule must not run the rollout with the default threshold.
        let rule = try await Self.send(cp, .POST, "/api/v1/endpoints/fraud/rollout", """
            {"candidate":"1.1.0","reason":"r","plan":{"strategy":"canary","steps":[10,100],"intervalSeconds":60,
             "rules":{"maxErrorRat":0.5}}}
            """)
        #expect(rule.status == 400 && rule.error?.field == "plan.rules.maxErrorRat", "\(String(describing: rule.error))")
        #expect(rule.error?.message.contains("maxErrorRate") == true)

        let step = try await Self.send(cp, .POST, "/api/v1/endpoints/fraud/rollout", """
            {"candidate":"1.1.0","reason":"r","plan":{"strategy":"canary","step":[10,100],"intervalSeconds":60,"rules":{}}}
            """)
        #expect(step.status == 400 && step.error?.field == "plan.step", "\(String(describing: step.error))")
        #expect(try await cp.client.endpoint("fraud").rollout == nil)

        let command = try await Self.send(cp, .POST, "/api/v1/endpoints/fraud/rollback", #"{"reason":"r","too":"1.1.0"}"#)
        #expect(command.status == 400 && command.error?.field == "too", "\(String(describing: command.error))")
    }

    @Test func wrongTypesNameTheFieldAndWhatWasExpected() async throws {
        let cp = try await TrafficTests.seeded()
        defer { Task { await cp.stop() } }
        let weight = try await Self.send(cp, .PUT, "/api/v1/endpoints/fraud",
                                         #"{"weights":[{"version":"1.0.0","weight":99.5}],"reason":"r"}"#)
        #expect(weight.status == 400 && weight.error?.field == "weights[0].weight", "\(String(describing: weight.error))")
        #expect(weight.error?.message.contains("not valid JSON") == false)

        // The push's schema rides in a header, as base64 JSON; a fractional dimension names its place.
        let schema = #"{"inputs":[{"name":"features","datatype":"FP32","shape":[1.5,6]}],"outputs":[]}"#
        let push = try await Self.send(cp, .PUT, "/api/v1/models/fraud/versions/3.0.0", "model",
                                       headers: [(SchemaHeader.name, Data(schema.utf8).base64EncodedString())])
        #expect(push.status == 400, "\(String(describing: push.error))")
        #expect(push.error?.message.contains("inputs[0].shape[0]") == true && push.error?.message.contains("not valid JSON") == false,
                "\(String(describing: push.error))")
    }

    /// The reference profile is stored as sent, so a key its decoder skips would be kept and never used.
    @Test func aReferenceProfileWithAnUnknownKeyIsRefused() async throws {
        let cp = try await TrafficTests.seeded()
        defer { Task { await cp.stop() } }
        let path = "/api/v1/models/fraud/versions/1.0.0/reference"
        let bad = try await Self.send(cp, .PUT, path, #"{"formatVersion":1,"columns":[],"colums":[]}"#)
        #expect(bad.status == 400 && bad.error?.message.contains("colums: unknown field") == true, "\(String(describing: bad.error))")
        #expect(try await Self.send(cp, .PUT, path, #"{"formatVersion":1,"columns":[]}"#).status == 204)
    }
}
