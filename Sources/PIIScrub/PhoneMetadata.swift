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
            let bits = prefixWords(hex)
            result[Int(code)] = Entry(callingCode: Int(code), trunkPrefixes: trunks, lengths: lengths.map(Int.init).sorted(),
                                      prefixBits: bits)
        }
        return result
    }()

    /// The 16 words of a big-endian hex integer (lower-case digits; the last one holds bits 0-3),
    /// bits 1024 and up dropped: sixteen hex digits a word, from the end. (Bit by bit, the 215
    /// entries took 2 M instructions, 6 % of the default set's start-up.)
    static func prefixWords(_ hex: String) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: 16)
        let digits = Array(hex.utf8)
        var end = digits.count
        for w in 0..<16 where end > 0 {
            let start = max(0, end - 16)
            var word: UInt64 = 0
            for c in digits[start..<end] { word = word << 4 | (c >= 0x61 ? UInt64(c - 0x61 + 10) : UInt64(c - 0x30)) }
            words[w] = word
            end = start
        }
        return words
    }

    static let nanpAreaCodes: Set<Int> = Set(nanpAreaCodeList.map(Int.init))
    static let allEntries: [Entry] = entries.values.sorted { $0.callingCode < $1.callingCode }

    /// The entry for a calling code (1 = NANP, 44 = GB, ...).
    public static func entry(forCallingCode code: Int) -> Entry? { entries[code] }

    /// Whether `area` is an assigned NANP area code.
    public static func isNANPAreaCode(_ area: Int) -> Bool { nanpAreaCodes.contains(area) }
}

/// ``PhoneMetadata``'s entries as flat tables for the validators, which run on every phone
/// candidate: looking a code up in the dictionary and copying an ``PhoneMetadata/Entry`` (three
/// arrays) retained and released on every call. Built once; a value of plain pointers, so
/// reading it costs no reference counting.
// SAFETY: the tables are written only while `shared` is initialised and never freed (a
// process-wide constant), so sharing the pointers across threads is safe.
struct PhoneTable: @unchecked Sendable {
    static let shared = PhoneTable()

    /// Per calling code 0...999: the entry's index in the tables below, or -1.
    private let slot: UnsafeMutablePointer<Int16>
    /// Per entry: bit L set when L is a possible national length.
    private let lengthMask: UnsafeMutablePointer<UInt32>
    private let minLengths: UnsafeMutablePointer<Int>
    private let maxLengths: UnsafeMutablePointer<Int>
    /// Per entry: 16 words, the 1000 prefix bits of ``PhoneMetadata/Entry``.
    private let prefixBits: UnsafeMutablePointer<UInt64>
    /// The indices of the entries with trunk prefix 0, by calling code.
    private let trunkZero: UnsafeBufferPointer<Int>
    /// 1000 bits: the assigned NANP area codes.
    private let nanpAreas: UnsafeMutablePointer<UInt64>
    /// Per national length L (0...31): 16 words, the 1000 prefix bits of all entries with that
    /// possible length ORed (``anyCodeAccepts(length:prefix:)``).
    private let anyCodePrefixBits: UnsafeMutablePointer<UInt64>

    private init() {
        let entries = PhoneMetadata.allEntries
        slot = .allocate(capacity: 1000)
        slot.initialize(repeating: -1, count: 1000)
        lengthMask = .allocate(capacity: entries.count)
        minLengths = .allocate(capacity: entries.count)
        maxLengths = .allocate(capacity: entries.count)
        prefixBits = .allocate(capacity: entries.count * 16)
        var trunk: [Int] = []
        for (k, entry) in entries.enumerated() {
            precondition(entry.callingCode < 1000 && (entry.lengths.last ?? 0) < 32 && entry.prefixBits.count == 16)
            slot[entry.callingCode] = Int16(k)
            lengthMask[k] = entry.lengths.reduce(0) { $0 | UInt32(1) << UInt32($1) }
            minLengths[k] = entry.minLength
            maxLengths[k] = entry.maxLength
            for w in 0..<16 { prefixBits[k * 16 + w] = entry.prefixBits[w] }
            if entry.trunkPrefixes.contains("0") { trunk.append(k) }
        }
        let buffer = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(trunk.count, 1))
        _ = buffer.initialize(from: trunk)
        trunkZero = UnsafeBufferPointer(rebasing: buffer[..<trunk.count])
        nanpAreas = .allocate(capacity: 16)
        nanpAreas.initialize(repeating: 0, count: 16)
        for area in PhoneMetadata.nanpAreaCodes where area >= 0 && area < 1000 {
            nanpAreas[area >> 6] |= UInt64(1) << UInt64(area & 63)
        }
        anyCodePrefixBits = .allocate(capacity: 32 * 16)
        anyCodePrefixBits.initialize(repeating: 0, count: 32 * 16)
        for k in 0..<entries.count {
            for length in 0..<32 where lengthMask[k] >> UInt32(length) & 1 == 1 {
                for w in 0..<16 { anyCodePrefixBits[length * 16 + w] |= prefixBits[k * 16 + w] }
            }
        }
    }

    /// ``PhoneMetadata/isNANPAreaCode(_:)``.
    @inline(__always)
    func isNANPAreaCode(_ area: Int) -> Bool {
        area >= 0 && area < 1000 && nanpAreas[area >> 6] >> UInt64(area & 63) & 1 == 1
    }

    /// The entry index for a calling code, or nil.
    @inline(__always)
    func entry(forCallingCode code: Int) -> Int? {
        guard code >= 0 && code < 1000 else { return nil }
        let k = slot[code]
        return k >= 0 ? Int(k) : nil
    }

    /// The calling codes with trunk prefix 0, in the order searched (for tests).
    var trunkZeroCallingCodes: [Int] { trunkZero.map { PhoneMetadata.allEntries[$0].callingCode } }

    func minLength(_ entry: Int) -> Int { minLengths[entry] }
    func maxLength(_ entry: Int) -> Int { maxLengths[entry] }

    /// ``PhoneMetadata/Entry/accepts(_:)``.
    @inline(__always)
    func accepts(_ entry: Int, _ national: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let n = national.count
        guard n >= 3, n < 32, lengthMask[entry] >> UInt32(n) & 1 == 1 else { return false }
        let i = national.startIndex
        let p = Int(national[i]) * 100 + Int(national[i + 1]) * 10 + Int(national[i + 2])
        return p < 1000 && prefixBits[entry * 16 + p >> 6] >> UInt64(p & 63) & 1 == 1
    }

    /// Whether some code with trunk prefix 0 accepts `national` (the digits after the 0).
    func trunkZeroAccepts(_ national: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        trunkZero.contains { accepts($0, national) }
    }

    /// Whether some code accepts `national` as written (no trunk prefix).
    func anyCodeAccepts(_ national: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let n = national.count
        guard n >= 3 else { return false }
        let i = national.startIndex
        return anyCodeAccepts(length: n, prefix: Int(national[i]) * 100 + Int(national[i + 1]) * 10 + Int(national[i + 2]))
    }

    /// ``anyCodeAccepts(_:)`` for a national number of `length` digits whose first three make
    /// `prefix`: one table lookup (every entry's ``accepts(_:_:)`` depends on just these two).
    @inline(__always)
    func anyCodeAccepts(length: Int, prefix: Int) -> Bool {
        length >= 3 && length < 32 && prefix >= 0 && prefix < 1000
            && anyCodePrefixBits[length * 16 + prefix >> 6] >> UInt64(prefix & 63) & 1 == 1
    }
}
