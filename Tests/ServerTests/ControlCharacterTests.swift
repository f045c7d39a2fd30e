import AsyncHTTPClient
import NIOHTTP1
import Foundation
import NightjarCore
import Testing

/// Free text that `nightjar audit` and the console print later (reasons, descriptions) is refused when
/// it holds a control character: a newline or an ESC colour sequence would corrupt the reader's terminal.
@Suite struct ControlCharacterTests {
    static let hostile = "bad\n\u{1B}[31mred"

    static func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func controlCharactersInFreeTextAreRefusedNamingTheField() async throws {
        let cp = try await TrafficTests.seeded()
        defer { Task { await cp.stop() } }
        _ = try await cp.client.setTraffic("fraud", TrafficChange(weights: TrafficTests.split((TrafficTests.v1, 100)), reason: "launch"))
        let before = try await cp.client.audit(limit: 100).count

        let weights: [[String: Any]] = [["version": "1.1.0", "weight": 100]]
        let cases: [(HTTPMethod, String, String, String)] = [
            (.PUT, "/api/v1/endpoints/fraud", try Self.json(["weights": weights, "reason": Self.hostile]), "reason"),
            (.POST, "/api/v1/endpoints/fraud/rollback", try Self.json(["reason": Self.hostile, "to": "1.1.0"]), "reason"),
            (.POST, "/api/v1/endpoints/fraud/rollout", try Self.json([
                "candidate": "1.1.0", "reason": Self.hostile,
                "plan": ["strategy": "canary", "steps": [10, 100], "intervalSeconds": 60, "rules": [:] as [String: Any]],
            ]), "reason"),
            (.PUT, "/api/v1/models/fraud/aliases/production", try Self.json(["version": "1.0.0", "reason": Self.hostile]), "reason"),
            (.PATCH, "/api/v1/models/fraud/versions/1.0.0", try Self.json(["description": "tab\there", "reason": "r"]), "description"),
            (.PATCH, "/api/v1/models/fraud/versions/1.0.0", try Self.json(["tags": ["team\u{1B}": "x"], "reason": "r"]), "tags"),
        ]
        for (method, path, body, field) in cases {
            let answer = try await StrictRequestBodyTests.send(cp, method, path, body)
            #expect(answer.status == 400, "\(method) \(path): \(String(describing: answer.error))")
            #expect(answer.error?.message.contains(field) == true && answer.error?.message.contains("control character") == true,
                    "\(method) \(path): \(String(describing: answer.error))")
        }
        let reasonField = try await StrictRequestBodyTests.send(cp, .POST, "/api/v1/endpoints/fraud/rollback",
                                                                try Self.json(["reason": Self.hostile]))
        #expect(reasonField.error?.field == "reason")

        // The alias removal's reason rides in the query.
        let removal = try await StrictRequestBodyTests.send(cp, .DELETE, "/api/v1/models/fraud/aliases/production?reason=a%0Ab", "")
        #expect(removal.status == 400 && removal.error?.field == "reason", "\(String(describing: removal.error))")

        // A version description in the push's metadata header.
        let metadata = Data(try Self.json(["description": Self.hostile]).utf8).base64EncodedString()
        let push = try await StrictRequestBodyTests.send(cp, .PUT, "/api/v1/models/fraud/versions/2.0.0", "model",
                                                         headers: [(MetadataHeader.name, metadata)])
        #expect(push.status == 400 && push.error?.message.contains("description") == true, "\(String(describing: push.error))")

        #expect(try await cp.client.audit(limit: 100).count == before, "a refused change left an audit row")
        #expect(try await cp.client.endpoint("fraud").deployment.weights == TrafficTests.split((TrafficTests.v1, 100)))
    }
}
