import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PIIScrub
import PIIScrubStream

/// Builds the `keyed` operator's key: HMAC-SHA256 (swift-crypto) with a secret read from a file.
enum PseudonymKeys {
    struct KeyError: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads the key file (raw bytes; a trailing newline is dropped). The key never appears in
    /// messages: errors name the file and the problem only.
    static func hmacSHA256(id: String, keyFile: String) throws -> PseudonymKey {
        let source = try ByteSource.open(keyFile)
        defer { source.close() }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = try bytes.withUnsafeMutableBytes { try source.readFully(into: $0.baseAddress!, count: $0.count) }
        var key = Array(bytes[..<n])
        while let last = key.last, last == 0x0A || last == 0x0D { key.removeLast() }
        guard key.count >= 16 else {
            throw KeyError(description: "key file \(keyFile) holds \(key.count) bytes; at least 16 are needed")
        }
        // SymmetricKey is not Sendable in swift-crypto 3.x; capture the bytes and rebuild it per call
        // (the keyed operator only runs on matches).
        let keyBytes = key
        return PseudonymKey(id: id) { message in
            Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: keyBytes)))
        }
    }
}
