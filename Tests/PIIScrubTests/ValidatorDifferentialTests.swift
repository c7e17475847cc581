@testable import PIIScrub
import PIIScrubTestSupport
import Testing

/// The engine's validators run on every PCRE2 candidate of the `default` set and were rewritten
/// to allocate nothing (stack digit buffers, a flat phone table). They must answer exactly as
/// the obvious versions in `ReferenceValidators` do, on candidates shaped like what the patterns
/// hand them: digit groups with every separator, `+`/`00` prefixes, `(0)` trunks, extensions,
/// country letters, non-ASCII digits and stray bytes.
@Suite("Validators against their reference")
struct ValidatorDifferentialTests {
    static let atoms: [[UInt8]] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "00", "0", "1", "44", "86", "555", "212", "911",
        " ", "-", ".", "/", "(", ")", "(0)", "+", ":", "::", "x", "ext. ", "E", "=", "_",
        "203.", "10.", "168.", "7.", "GB", "DE", "NO", "AB", "gb", "a", "Z", "\u{FF15}", "\u{0663}", "中", "Bearer ", "Basic ", "\\n",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3]]

    static let prefixes = ["", "", "", "+", "+", "00", "(", "+44 ", "0", "1-", "GB82", "Tel ", "\u{FF14}"]
    static let separators = [".", ".", "-", "-", " ", " ", "/", "", ":"]
    static let suffixes = ["", "", "", " x12", "ext. 9", ".", "=", "\u{0663}"]

    /// Groups counting up by one to three (17 18 19 20, 8 10 12), sometimes from 0 or with a
    /// longer group, or zero-filled groups (00 00 00, 100644 0000000) among random ones: both
    /// sides of the phone-national rules about them.
    static func countingOrZeros(_ rng: inout SplitMix64, nonASCII: Bool) -> [UInt8] {
        let separator = [" ", "-", " ", ".", "/"][Int.random(in: 0..<5, using: &rng)]
        var groups: [String] = []
        if Bool.random(using: &rng) {
            var value = Int.random(in: 0...120, using: &rng)
            for _ in 0..<Int.random(in: 2...7, using: &rng) {
                groups.append(Int.random(in: 0..<12, using: &rng) == 0 ? "0" + String(value) : String(value))
                value += Int.random(in: 1...3, using: &rng)
            }
        } else {
            for _ in 0..<Int.random(in: 2...6, using: &rng) {
                let length = Int.random(in: 1...8, using: &rng)
                groups.append(Int.random(in: 0..<3, using: &rng) == 0
                    ? String((0..<length).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
                    : String(repeating: "0", count: length))
            }
        }
        var text = groups.joined(separator: separator)
        // A non-ASCII digit (Arabic-Indic 3) for the general path.
        if nonASCII, let i = text.firstIndex(of: "3") { text.replaceSubrange(i...i, with: "\u{0663}") }
        return Array(text.utf8)
    }

    @Test("every rewritten validator answers as its reference on random candidates")
    func sameAnswers() throws {
        var rng = SplitMix64(seed: 0x7A11_DA7E)
        var mismatches: [String: Int] = [:]
        var accepted: [String: Int] = [:]
        let names = ReferenceValidators.checks.keys.sorted()
        #expect(names.count == 9 && names.allSatisfy { Validators.all[$0] != nil })
        for round in 0..<60_000 {
            var bytes: [UInt8] = []
            if round % 7 == 3 {
                bytes = Self.countingOrZeros(&rng, nonASCII: round % 2 == 0)
            } else if round % 2 == 0 {
                let length = Int.random(in: 0...(round % 10 == 0 ? 90 : 28), using: &rng)
                // Mostly digits, so lengths and checksums come out right often enough to matter.
                while bytes.count < length {
                    if Int.random(in: 0..<3, using: &rng) > 0 {
                        bytes.append(UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng))
                    } else {
                        bytes += Self.atoms[Int.random(in: 0..<Self.atoms.count, using: &rng)]
                    }
                }
            } else {
                // Grouped numbers: a prefix, 2-6 digit groups with one separator (sometimes
                // mixed), a suffix: dotted quads, dates, grouped phones and cards.
                bytes += Array(Self.prefixes[Int.random(in: 0..<Self.prefixes.count, using: &rng)].utf8)
                let separator = Self.separators[Int.random(in: 0..<Self.separators.count, using: &rng)]
                for g in 0..<Int.random(in: 2...6, using: &rng) {
                    if g > 0 {
                        bytes += Array((Int.random(in: 0..<8, using: &rng) == 0
                            ? Self.separators[Int.random(in: 0..<Self.separators.count, using: &rng)] : separator).utf8)
                    }
                    for _ in 0..<Int.random(in: 1...5, using: &rng) {
                        bytes.append(UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng))
                    }
                }
                bytes += Array(Self.suffixes[Int.random(in: 0..<Self.suffixes.count, using: &rng)].utf8)
            }
            for name in names {
                let fast = try #require(Validators.all[name])
                let reference = try #require(ReferenceValidators.checks[name])
                let (a, b) = bytes.withUnsafeBytes { (fast($0), reference($0)) }
                if a != b { mismatches[name, default: 0] += 1 }
                if b { accepted[name, default: 0] += 1 }
            }
        }
        // Counts only: the inputs are synthetic, but failure messages never carry subject text.
        #expect(mismatches.isEmpty, "validators that disagree with their reference (count): \(mismatches)")
        for name in ["luhn", "card", "us-ssn", "nanp", "phone-intl", "phone-national", "phone-bare"] {
            #expect(accepted[name, default: 0] > 10, "\(name) accepts some candidates")
        }
    }

    /// The phone validators decide all-ASCII candidates in one pass and hand anything else to
    /// their general form (the one the test above holds to the reference): on ASCII candidates
    /// of every shape the patterns give them, both must answer alike.
    @Test("the one-pass ASCII phone validators answer as their general forms")
    func asciiPassEqualsGeneral() {
        var rng = SplitMix64(seed: 0xA5C1_1F0E)
        let asciiAtoms = Self.atoms.filter { $0.allSatisfy { $0 < 0x80 } }
        var mismatches = (national: 0, international: 0)
        var accepted = (national: 0, international: 0)
        for round in 0..<200_000 {
            var bytes: [UInt8] = []
            if round % 3 == 0 {
                let length = Int.random(in: 0...24, using: &rng)
                while bytes.count < length {
                    if Int.random(in: 0..<3, using: &rng) > 0 {
                        bytes.append(UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng))
                    } else {
                        bytes += asciiAtoms[Int.random(in: 0..<asciiAtoms.count, using: &rng)]
                    }
                }
            } else {
                let prefixes = Self.prefixes.filter { $0.utf8.allSatisfy { $0 < 0x80 } } + ["(0", "+33 (0)", "8 ("]
                bytes += Array(prefixes[Int.random(in: 0..<prefixes.count, using: &rng)].utf8)
                let separator = Self.separators[Int.random(in: 0..<Self.separators.count, using: &rng)]
                for g in 0..<Int.random(in: 1...7, using: &rng) {
                    if g > 0 {
                        bytes += Array((Int.random(in: 0..<6, using: &rng) == 0
                            ? [" ", "-", ".", "/", ") ", " (", "(0)"][Int.random(in: 0..<7, using: &rng)] : separator).utf8)
                    }
                    // Years, months and days often enough for the date and year-range rules.
                    switch Int.random(in: 0..<6, using: &rng) {
                    case 0: bytes += Array(String(Int.random(in: 1899...2100, using: &rng)).utf8)
                    case 1: bytes += Array(String(Int.random(in: 0...32, using: &rng)).utf8)
                    default:
                        for _ in 0..<Int.random(in: 1...5, using: &rng) {
                            bytes.append(UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng))
                        }
                    }
                }
                let suffixes = Self.suffixes.filter { $0.utf8.allSatisfy { $0 < 0x80 } } + [" X9", "E"]
                bytes += Array(suffixes[Int.random(in: 0..<suffixes.count, using: &rng)].utf8)
            }
            if round % 7 == 3 { bytes = Self.countingOrZeros(&rng, nonASCII: false) }
            bytes.withUnsafeBytes { candidate in
                let national = Validators.phoneNational(candidate)
                if national != Validators.phoneNationalGeneral(candidate) { mismatches.national += 1 }
                if national { accepted.national += 1 }
                let international = Validators.phoneInternational(candidate)
                if international != Validators.phoneInternationalGeneral(candidate) { mismatches.international += 1 }
                if international { accepted.international += 1 }
            }
        }
        // Counts only: failure messages never carry subject text.
        #expect(mismatches.national == 0 && mismatches.international == 0,
                "disagreements (count): national \(mismatches.national), international \(mismatches.international)")
        #expect(accepted.national > 1_000 && accepted.international > 1_000)
    }

    /// The flat phone table against ``PhoneMetadata``'s entries, exhaustively: every code, every
    /// 3-digit beginning and length, the trunk-0 and any-code searches, the NANP area codes.
    @Test("the flat phone table answers as the metadata entries")
    func phoneTableEqualsEntries() {
        let table = PhoneTable.shared
        var mismatches = 0
        for code in 0..<1000 {
            let entry = PhoneMetadata.entry(forCallingCode: code)
            let index = table.entry(forCallingCode: code)
            if (entry == nil) != (index == nil) { mismatches += 1 }
            if PhoneTable.shared.isNANPAreaCode(code) != PhoneMetadata.isNANPAreaCode(code) { mismatches += 1 }
        }
        var digits: [UInt8] = []
        for length in 0...18 {
            for prefix in 0..<(length >= 3 ? 1000 : 1) {
                digits = [UInt8(prefix / 100), UInt8(prefix / 10 % 10), UInt8(prefix % 10)]
                digits += [UInt8](repeating: 7, count: max(0, length - 3))
                digits = Array(digits.prefix(length))
                digits.withUnsafeBufferPointer { national in
                    for entry in PhoneMetadata.allEntries {
                        let index = table.entry(forCallingCode: entry.callingCode)!
                        if table.accepts(index, national[...]) != entry.accepts(digits[...]) { mismatches += 1 }
                    }
                    if table.trunkZeroAccepts(national[...]) != ReferenceValidators.trunkZeroAccepts(digits[...]) {
                        mismatches += 1
                    }
                    if table.anyCodeAccepts(national[...]) != ReferenceValidators.anyCodeAccepts(digits[...]) {
                        mismatches += 1
                    }
                }
            }
        }
        #expect(mismatches == 0)
        #expect(table.trunkZeroCallingCodes == ReferenceValidators.trunkZeroEntries.map(\.callingCode))
    }
}

