/// Checks run on a PCRE2 match before it is redacted, for formats with a checksum or validity
/// rules (Luhn, mod-97, SSN area rules, ...).
///
/// A validator sees only the matched bytes and answers yes or no; it never logs or keeps them.
/// Pattern files name validators with `"validate": "<name>"`; an unknown name is a load error.
public struct Validator: Sendable {
    public let name: String
    let check: @Sendable (UnsafeRawBufferPointer) -> Bool

    public init(name: String, _ check: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool) {
        self.name = name
        self.check = check
    }

    /// Whether `match` passes.
    public func callAsFunction(_ match: UnsafeRawBufferPointer) -> Bool { check(match) }
}

/// The registry of built-in validators, by name.
public enum Validators {
    /// All built-in validators.
    public static let all: [String: Validator] = {
        var table: [String: Validator] = [:]
        for v in builtIn { table[v.name] = v }
        return table
    }()

    static let builtIn: [Validator] = [
        Validator(name: "luhn") { luhn(digits(of: $0)) },
    ]

    /// The ASCII digits of `bytes`, in order (separators dropped).
    public static func digits(of bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes where b &- 0x30 < 10 { out.append(b &- 0x30) }
        return out
    }

    /// The Luhn (mod 10) check over digit values.
    public static func luhn(_ digits: [UInt8]) -> Bool {
        guard digits.count >= 2 else { return false }
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            var v = Int(d)
            if i % 2 == 1 {
                v *= 2
                if v > 9 { v -= 9 }
            }
            sum += v
        }
        return sum % 10 == 0
    }
}
