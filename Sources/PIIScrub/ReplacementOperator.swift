/// How a match is replaced.
///
/// - `token`: the pattern's fixed token, e.g. `[EMAIL]` (default).
/// - `numbered`: `[EMAIL_1]`, `[EMAIL_2]`, ...; the same value gets the same number within one
///   payload, or within a scope opened with ``ScrubWorker/withScope(_:)`` (one trace). Numbers count
///   per token, in order of first appearance.
/// - `mask(keepLast:)`: letters and digits become `*` except the last N (`****-****-****-1234`);
///   separators stay.
/// - `keyed`: a keyed pseudonym `[EMAIL:<key id>:<12 hex>]`, the truncated HMAC-SHA256 (computed
///   by the caller-supplied ``PseudonymKey``) of the token name and the value. Deterministic for
///   the same key and input; no mapping from pseudonym to value is kept anywhere.
public struct ReplacementOperator: Sendable, Hashable, CustomStringConvertible {
    enum Base: Sendable, Hashable {
        case token
        case numbered
        case mask(keepLast: Int)
        case keyed
    }
    let base: Base

    public static let token = ReplacementOperator(base: .token)
    public static let numbered = ReplacementOperator(base: .numbered)
    public static let keyed = ReplacementOperator(base: .keyed)
    public static func mask(keepLast: Int) -> ReplacementOperator { .init(base: .mask(keepLast: max(0, keepLast))) }

    /// Parses `token`, `numbered`, `mask`, `keyed`.
    public init?(name: String, maskKeep: Int = 4) {
        switch name {
        case "token": base = .token
        case "numbered": base = .numbered
        case "mask": base = .mask(keepLast: max(0, maskKeep))
        case "keyed": base = .keyed
        default: return nil
        }
    }

    init(base: Base) { self.base = base }

    public var description: String {
        switch base {
        case .token: "token"
        case .numbered: "numbered"
        case .mask(let n): "mask(keepLast: \(n))"
        case .keyed: "keyed"
        }
    }

    var isStateless: Bool { base != .numbered }
}

/// A user-supplied key for the `keyed` operator: an id printed in pseudonyms, and a MAC function
/// (HMAC-SHA256 with the secret key; the CLI builds it with swift-crypto). The key itself never
/// appears in output, errors or descriptions.
public struct PseudonymKey: Sendable, CustomStringConvertible {
    public let id: String
    let mac: @Sendable (UnsafeRawBufferPointer) -> [UInt8]

    public init(id: String, mac: @escaping @Sendable (UnsafeRawBufferPointer) -> [UInt8]) {
        self.id = id
        self.mac = mac
    }

    public var description: String { "PseudonymKey(id: \(id))" }
}

/// Value-to-number maps for the `numbered` operator.
struct Numbering {
    struct Key: Hashable {
        var token: Int
        var value: [UInt8]
    }
    var numbers: [Key: Int] = [:]
    var next: [Int: Int] = [:]

    mutating func number(token: Int, value: UnsafeRawBufferPointer) -> Int {
        let key = Key(token: token, value: Array(value))
        if let n = numbers[key] { return n }
        let n = (next[token] ?? 0) + 1
        next[token] = n
        numbers[key] = n
        return n
    }

    var isEmpty: Bool { numbers.isEmpty && next.isEmpty }

    mutating func reset() {
        if !numbers.isEmpty { numbers.removeAll(keepingCapacity: true) }
        if !next.isEmpty { next.removeAll(keepingCapacity: true) }
    }
}

extension Scrubber {
    /// Appends the replacement for `value` (a match of `pattern`) to `out`.
    func appendReplacement(pattern index: Int, value: UnsafeRawBufferPointer, state: ScrubState, to out: inout [UInt8]) {
        let set = patternSet
        let token = set.replacementByIndex[index]
        let op = configuration.operatorOverride ?? set.operatorByIndex[index]
        switch op.base {
        case .token:
            out += token
        case .numbered:
            let n = state.numbering.number(token: set.tokenGroupByIndex[index], value: value)
            if token.last == UInt8(ascii: "]") {
                out += token.dropLast()
                out += Array("_\(n)]".utf8)
            } else {
                out += token
                out += Array("_\(n)".utf8)
            }
        case .mask(let keepLast):
            var alnum = 0
            for b in value where isASCIIAlphanumeric(b) || b >= 0xC0 { alnum += 1 }
            var seen = 0
            var i = 0
            while i < value.count {
                let b = value[i]
                if b < 0x80 {
                    if isASCIIAlphanumeric(b) {
                        seen += 1
                        out.append(seen > alnum - keepLast ? b : UInt8(ascii: "*"))
                    } else {
                        out.append(b)
                    }
                    i += 1
                } else {
                    // One star per non-ASCII scalar: never keep non-ASCII text, never split one.
                    var end = i + 1
                    while end < value.count && value[end] & 0xC0 == 0x80 { end += 1 }
                    seen += 1
                    out.append(UInt8(ascii: "*"))
                    i = end
                }
            }
        case .keyed:
            guard let key = configuration.pseudonymKey else {
                out += token
                return
            }
            let name = token.first == UInt8(ascii: "[") && token.last == UInt8(ascii: "]")
                ? Array(token.dropFirst().dropLast()) : token
            var message = name
            message.append(0)
            message += Array(value)
            let digest = message.withUnsafeBytes { key.mac($0) }
            out.append(UInt8(ascii: "["))
            out += name
            out.append(UInt8(ascii: ":"))
            out += Array(key.id.utf8)
            out.append(UInt8(ascii: ":"))
            let hex = Array("0123456789abcdef".utf8)
            for b in digest.prefix(6) {
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0x0F)])
            }
            out.append(UInt8(ascii: "]"))
        }
    }
}

@inline(__always)
func isASCIIAlphanumeric(_ b: UInt8) -> Bool {
    (b &- 0x30) < 10 || ((b | 0x20) &- 0x61) < 26
}
