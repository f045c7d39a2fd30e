import Foundation
import Testing
import TestSupport

/// A helper program a test starts must not hold the test process's connections: while it did, a
/// client that hung up on the gateway sent no FIN until the helper exited, and the gateway could
/// not notice the hang-up (the `PredictionConnectionTests` case failed whenever another suite had
/// just started PostgreSQL or a CLI).
struct ChildProcessDescriptorTests {
    @Test func aChildDoesNotInheritTheTestProcessSockets() async throws {
        // A plain socket(2), opened without close-on-exec exactly as SwiftNIO opens its sockets.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0, "cannot open a socket: \(String(cString: strerror(errno)))")
        defer { close(descriptor) }
        #expect(fcntl(descriptor, F_GETFD) & FD_CLOEXEC == 0, "the socket is close-on-exec, so nothing is tested")

        let seen = await ChildProcess(["readlink", "/proc/self/fd/\(descriptor)"]).run()
        #expect(!seen.succeeded, "the child holds descriptor \(descriptor): \(seen.output)")
        let own = await ChildProcess(["readlink", "/proc/self/fd/1"]).run()
        #expect(own.succeeded, "the child's own standard output is missing: \(own.output)")
    }
}
