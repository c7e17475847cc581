/// Phone numbering metadata per country calling code, derived from libphonenumber (Apache-2.0)
/// by `tools/gen_phone_metadata.py`; the data is in `PhoneMetadata+Generated.swift` and
/// `patterns/data/phone-regions.json` (same generator, same content).
///
/// Used only by the phone validators: lengths of national significant numbers and which 3-digit
/// beginnings are valid. Built once, read-only.
public enum PhoneMetadata {
    /// One calling code's rules.
    public struct Entry: Sendable {
        public let callingCode: Int
        public let trunkPrefixes: [String]
        public let lengths: [Int]
        let prefixBits: [UInt64]  // 1000 bits

        public var minLength: Int { lengths.first ?? 0 }
        public var maxLength: Int { lengths.last ?? 0 }

        /// Whether a national significant number may begin with the three digits `p` (0...999).
        public func allowsPrefix(_ p: Int) -> Bool {
            p >= 0 && p < 1000 && prefixBits[p >> 6] >> UInt64(p & 63) & 1 == 1
        }

        /// Whether `national` (digit values) has a possible length and a valid beginning.
        public func accepts(_ national: ArraySlice<UInt8>) -> Bool {
            guard national.count >= 3, lengths.contains(national.count) else { return false }
            let p = national.prefix(3).reduce(0) { $0 * 10 + Int($1) }
            return allowsPrefix(p)
        }
    }

    /// Entries by calling code.
    public static let entries: [Int: Entry] = {
        var result: [Int: Entry] = [:]
        for (code, trunks, lengths, hex) in table {
            var bits = [UInt64](repeating: 0, count: 16)
            // hex is a big-endian 1000-bit integer: the last hex digit holds bits 0-3.
            let digits = Array(hex.utf8)
            for (k, c) in digits.reversed().enumerated() {
                let v: UInt64 = c >= 0x61 ? UInt64(c - 0x61 + 10) : UInt64(c - 0x30)
                for j in 0..<4 where v >> UInt64(j) & 1 == 1 {
                    let bit = k * 4 + j
                    if bit < 1024 { bits[bit >> 6] |= 1 << UInt64(bit & 63) }
                }
            }
            result[Int(code)] = Entry(callingCode: Int(code), trunkPrefixes: trunks, lengths: lengths.map(Int.init).sorted(),
                                      prefixBits: bits)
        }
        return result
    }()

    static let nanpAreaCodes: Set<Int> = Set(nanpAreaCodeList.map(Int.init))
    /// Codes whose national numbers are written with a leading trunk 0.
    static let trunkZeroEntries: [Entry] = entries.values.filter { $0.trunkPrefixes.contains("0") }
        .sorted { $0.callingCode < $1.callingCode }
    static let allEntries: [Entry] = entries.values.sorted { $0.callingCode < $1.callingCode }

    /// The entry for a calling code (1 = NANP, 44 = GB, ...).
    public static func entry(forCallingCode code: Int) -> Entry? { entries[code] }

    /// Whether `area` is an assigned NANP area code.
    public static func isNANPAreaCode(_ area: Int) -> Bool { nanpAreaCodes.contains(area) }

    /// Whether some code with trunk prefix 0 accepts `national` (the digits after the 0).
    static func trunkZeroAccepts(_ national: ArraySlice<UInt8>) -> Bool {
        trunkZeroEntries.contains { $0.accepts(national) }
    }

    /// Whether some code accepts `national` as written (no trunk prefix).
    static func anyCodeAccepts(_ national: ArraySlice<UInt8>) -> Bool {
        allEntries.contains { $0.accepts(national) }
    }
}
