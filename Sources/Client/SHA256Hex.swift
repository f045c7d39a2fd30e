import Crypto
import Foundation

/// Lower-case hex SHA-256, the form artifacts are addressed by.
public enum SHA256Hex {
    public static func of(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
