import AsyncHTTPClient
import Foundation
import NightjarCore
import Testing

/// Query parameters are read strictly: a count that is not a number, a format the route does not
/// have or a parameter it does not take is a 400 naming it, never the default answer.
@Suite struct QueryParameterTests {
    @Test(.timeLimit(.minutes(1))) func laxQueryParametersAre400sNamingTheParameter() async throws {
        let cp = try await TrafficTests.seeded()
        defer { Task { await cp.stop() } }
        func get(_ path: String) async throws -> (status: UInt, error: StructuredErrorBody.Detail?) {
            var request = HTTPClientRequest(url: cp.server.url + path)
            request.headers.add(name: "Authorization", value: "Bearer \(cp.adminToken)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            // The event stream never ends: its status is the answer (the old code streamed for ?format=xml).
            if response.headers.first(name: "Content-Type") == "text/event-stream" { return (response.status.code, nil) }
            let data = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
            return (response.status.code, try? JSONDecoder().decode(StructuredErrorBody.self, from: data).error)
        }
        let cases: [(String, String, String)] = [
            ("/api/v1/audit?limit=abc", "limit", "whole number"),
            ("/api/v1/audit?limit=-1", "limit", "whole number"),
            ("/api/v1/audit?limt=5", "limt", "limit"),
            ("/api/v1/events?format=xml", "format", "json, sse"),
            ("/api/v1/events?format=json&limit=ten", "limit", "whole number"),
            ("/api/v1/events?format=json&afterr=3", "afterr", "after"),
        ]
        for (path, field, hint) in cases {
            let answer = try await get(path)
            #expect(answer.status == 400 && answer.error?.field == field && answer.error?.message.contains(hint) == true,
                    "\(path): \(answer.status) \(String(describing: answer.error))")
        }
        #expect(try await get("/api/v1/audit?limit=5").status == 200)
        #expect(try await get("/api/v1/events?format=json&limit=5").status == 200)
    }
}
