@testable import Gateway
import NIOHTTP1
import Testing

/// Which header fields cross the gateway, whatever case the client or worker wrote them in.
@Suite struct ForwardedHeadersTests {
    @Test func hopByHopFieldsStopAtTheGatewayInAnyCase() {
        let client: HTTPHeaders = [
            "Host": "gateway:8080", "CONNECTION": "keep-alive", "Keep-Alive": "timeout=5", "Content-Length": "42",
            "Transfer-Encoding": "chunked", "Content-Type": "application/json", "X-Request-Id": "r-1",
            "Inference-Header-Content-Length": "17",
        ]
        let sent = ForwardedHeaders.toWorker(client)
        #expect(sent.map(\.name) == ["Content-Type", "X-Request-Id", "Inference-Header-Content-Length"])
        #expect(sent.first(name: "x-request-id") == "r-1")
    }

    @Test func theWorkersDateAndServerAreLeftToTheGatewayAndItsOwnFieldsRelayedAsWritten() {
        let worker: HTTPHeaders = [
            "Content-Type": "application/json", "Nightjar-Model-Version": "1.0.0", "content-length": "222",
            "Date": "Mon, 30 Nov 2026 10:23:45 GMT", "SERVER": "hummingbird", "Connection": "close",
        ]
        let relayed = ForwardedHeaders.toClient(worker)
        #expect(relayed.map(\.name) == ["Content-Type", "Nightjar-Model-Version"])
        #expect(relayed.first(name: "nightjar-model-version") == "1.0.0")
    }

    @Test func aNameIsComparedByItsLettersNotItsLengthAlone() {
        #expect(ForwardedHeaders.equalsIgnoringCase("Upgrade", "upgrade"))
        #expect(!ForwardedHeaders.equalsIgnoringCase("Upgradf", "upgrade"))
        #expect(!ForwardedHeaders.equalsIgnoringCase("te", "tE".lowercased() + "x"))
        // Only ASCII letters fold: '[' is 'Z' + 1 and must not match '{'.
        #expect(!ForwardedHeaders.equalsIgnoringCase("[", "{"))
    }
}
