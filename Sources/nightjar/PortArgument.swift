import ArgumentParser

/// A TCP port given on the command line: 0 (any free one) to 65535. Without the check, 99999 was
/// taken modulo 65536 and the server listened on 34463.
enum PortArgument {
    static func parse(_ text: String) throws -> Int {
        guard let port = Int(text), (0...65_535).contains(port) else {
            throw ValidationError("'\(text)' is not a TCP port: use 0 (any free one) to 65535")
        }
        return port
    }
}
