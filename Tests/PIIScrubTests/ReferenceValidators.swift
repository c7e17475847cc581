@testable import PIIScrub

/// The validators that were rewritten to allocate nothing, as they were before (arrays,
/// dictionaries and `PhoneMetadata`'s public entries): the reference `ValidatorDifferentialTests`
/// holds the engine's to. Do not optimise this file: its point is to stay obvious. (The other
/// validators, unchanged, are not copied here.)
enum ReferenceValidators {
    static let checks: [String: @Sendable (UnsafeRawBufferPointer) -> Bool] = [
        "luhn": { luhn(digits(of: $0)) },
        "card": { card(digits(of: $0)) },
        "iban": { iban($0, checksum: true) },
        "iban-format": { iban($0, checksum: false) },
        "us-ssn": { usSSN(digits(of: $0)) },
        "nanp": { nanp(digits(of: $0)) },
        "phone-intl": { phoneInternational($0) },
        "phone-national": { phoneNational($0) },
        "phone-bare": { phoneBare(digits(of: $0)) },
    ]

    static let trunkZeroEntries: [PhoneMetadata.Entry] = PhoneMetadata.entries.values
        .filter { $0.trunkPrefixes.contains("0") }.sorted { $0.callingCode < $1.callingCode }
    static let allEntries: [PhoneMetadata.Entry] = PhoneMetadata.entries.values.sorted { $0.callingCode < $1.callingCode }

    static func trunkZeroAccepts(_ national: ArraySlice<UInt8>) -> Bool {
        trunkZeroEntries.contains { $0.accepts(national) }
    }

    static func anyCodeAccepts(_ national: ArraySlice<UInt8>) -> Bool {
        allEntries.contains { $0.accepts(national) }
    }

    /// The decimal digit values of `bytes`, in order (separators dropped). Non-ASCII decimal
    /// digits (category Nd: full-width, Arabic-Indic, ...) count with their value.
    static func digits(of bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                if b &- 0x30 < 10 { out.append(b &- 0x30) }
                i += 1
                continue
            }
            var scalar = UInt32(0)
            var length = 1
            if b & 0xE0 == 0xC0 { scalar = UInt32(b & 0x1F); length = 2 }
            else if b & 0xF0 == 0xE0 { scalar = UInt32(b & 0x0F); length = 3 }
            else if b & 0xF8 == 0xF0 { scalar = UInt32(b & 0x07); length = 4 }
            guard i + length <= bytes.count, length > 1 else { i += 1; continue }
            for k in 1..<length { scalar = scalar << 6 | UInt32(bytes[i + k] & 0x3F) }
            if let range = unicodeDecimalDigitRanges.first(where: { $0.contains(scalar) }) {
                out.append(UInt8((scalar - range.lowerBound) % 10))
            }
            i += length
        }
        return out
    }

    /// The Luhn (mod 10) check over digit values.
    static func luhn(_ digits: [UInt8]) -> Bool {
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

    private static func number(_ digits: ArraySlice<UInt8>) -> Int {
        digits.reduce(0) { $0 * 10 + Int($1) }
    }

    // MARK: Cards

    /// Issuer prefix and length (Visa, Mastercard, Amex, Diners, Discover, JCB, UnionPay, Maestro,
    /// Mir), then Luhn.
    static func card(_ d: [UInt8]) -> Bool {
        let n = d.count
        guard n >= 12, n <= 19 else { return false }
        let p2 = number(d[0..<2]), p3 = number(d[0..<3]), p4 = number(d[0..<4]), p6 = number(d[0..<6])
        let issuer: Bool
        switch d[0] {
        case 4: issuer = n == 13 || n == 16 || n == 19  // Visa
        case 2:
            issuer = (p4 >= 2221 && p4 <= 2720 && n == 16) || (p4 >= 2200 && p4 <= 2204 && n >= 16)  // MC, Mir
        case 3:
            issuer = ((p2 == 34 || p2 == 37) && n == 15)  // Amex
                || ((p3 >= 300 && p3 <= 305 || p2 == 36 || p2 == 38 || p2 == 39) && n >= 14)  // Diners
                || (p2 == 35 && n >= 16)  // JCB (3528-3589 assigned; test generators such as Faker use all of 35xx)
        case 5: issuer = (p2 >= 51 && p2 <= 55 && n == 16) || ((p2 == 50 || p2 >= 56) && n >= 12)  // MC, Maestro
        case 6:
            issuer = (p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65 || (p6 >= 622126 && p6 <= 622925)) && n >= 16
                || (p2 == 62 && n >= 16) || n >= 12  // Discover, UnionPay, Maestro 6x
        default: issuer = false
        }
        return issuer && luhn(d)
    }

    // MARK: IBAN

    /// Whether `bytes` (separators allowed: space, dash) is an IBAN of a known country and its
    /// length, and (with `checksum`) passes mod-97.
    static func iban(_ bytes: UnsafeRawBufferPointer, checksum: Bool) -> Bool {
        var chars: [UInt8] = []
        chars.reserveCapacity(34)
        for b in bytes where b != 0x20 && b != 0x2D {
            guard b < 0x80 else { return false }
            chars.append(b >= 0x61 && b <= 0x7A ? b - 0x20 : b)
        }
        return iban(chars, checksum: checksum)
    }

    /// ``iban(_:checksum:)`` over upper-case ASCII without separators.
    static func iban(_ chars: [UInt8], checksum: Bool) -> Bool {
        guard chars.count >= 15, chars.count <= 34 else { return false }
        let country = String(decoding: chars[0..<2], as: UTF8.self)
        guard let length = Validators.ibanLengths[country], length == chars.count else { return false }
        guard chars[2] &- 0x30 < 10, chars[3] &- 0x30 < 10 else { return false }
        // Every registered IBAN has at least six digits (check digits + numeric bank or account
        // parts); the patterns' prefilter claim relies on it.
        guard chars.reduce(0, { $0 + ($1 &- 0x30 < 10 ? 1 : 0) }) >= 6 else { return false }
        guard checksum else { return true }
        var remainder = 0
        for c in chars[4...] + chars[0..<4] {
            if c &- 0x30 < 10 {
                remainder = (remainder * 10 + Int(c - 0x30)) % 97
            } else if c &- 0x41 < 26 {
                remainder = (remainder * 100 + Int(c - 0x41 + 10)) % 97
            } else {
                return false
            }
        }
        return remainder == 1
    }

    // MARK: US SSN

    /// SSN and ITIN rules: area not 000 or 666 (9xx is an ITIN: group 50-65, 70-88, 90-92, 94-99),
    /// group not 00, serial not 0000.
    static func usSSN(_ d: [UInt8]) -> Bool {
        guard d.count == 9 else { return false }
        let area = number(d[0..<3]), group = number(d[3..<5]), serial = number(d[5..<9])
        guard area != 0, area != 666, group != 0, serial != 0 else { return false }
        if area >= 900 {
            return (50...65).contains(group) || (70...88).contains(group) || (90...92).contains(group)
                || (94...99).contains(group)
        }
        return true
    }

    // MARK: Phone numbers

    /// A NANP number (10 digits, or 11 with a leading 1): assigned area code, exchange 2-9 and
    /// not N11.
    static func nanp(_ digits: [UInt8]) -> Bool {
        var d = digits[...]
        if d.count == 11 && d.first == 1 { d = d.dropFirst() }
        guard d.count == 10 else { return false }
        let area = number(d.prefix(3))
        let exchange = number(d.dropFirst(3).prefix(3))
        guard PhoneMetadata.isNANPAreaCode(area) else { return false }
        guard exchange >= 200, exchange % 100 != 11 else { return false }
        return true
    }

    /// `+CC …` or `00CC …`: a known calling code and a national number whose length is in that
    /// code's range. A `(0)` trunk group (`+44 (0)20 …`) is skipped.
    static func phoneInternational(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        // The bytes up to an extension marker (x, ext), without one "(0)" trunk group.
        var kept: [UInt8] = []
        var i = 0
        var trunkSkipped = false
        while i < n {
            let b = bytes[i]
            if b == 0x78 || b == 0x58 || b == 0x65 || b == 0x45 { break }
            if !trunkSkipped, b == 0x28, i + 2 < n, bytes[i + 1] == 0x30, bytes[i + 2] == 0x29 {
                i += 3
                trunkSkipped = true
                continue
            }
            kept.append(b)
            i += 1
        }
        var d = kept.withUnsafeBytes { digits(of: $0) }
        if bytes.first == 0x30 {  // "00" international prefix
            guard d.count > 2, d[0] == 0, d[1] == 0 else { return false }
            d.removeFirst(2)
        }
        guard d.count >= 7, d.count <= 15 else { return false }
        for ccLength in 1...3 where ccLength < d.count {
            let cc = number(d[0..<ccLength])
            guard let entry = PhoneMetadata.entry(forCallingCode: cc) else { continue }
            var national = d[ccLength...]
            // "+44 0 20 …": a written trunk prefix after the code.
            if national.count > entry.maxLength, national.first == 0 { national = national.dropFirst() }
            if national.count >= entry.minLength - 1 && national.count <= entry.maxLength { return true }
        }
        return false
    }

    /// A grouped national number (the pattern requires separators): 9-13 digits, not a date, dots
    /// not mixed with other separators;
    /// with a trunk prefix (`0…`, `8 (…)`) or area code in parentheses the length is enough,
    /// otherwise some calling code must accept it (length and 3-digit prefix).
    static func phoneNational(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // Hot on digit-dense text: reject by ASCII digit count before allocating anything.
        var asciiDigits = 0
        var nonASCII = false
        for b in bytes {
            if b &- 0x30 < 10 { asciiDigits += 1 } else if b >= 0x80 { nonASCII = true }
        }
        if !nonASCII && (asciiDigits < 7 || asciiDigits > 13) { return false }
        let d = digits(of: bytes)
        let groups = digitGroups(bytes)
        // Seven digits only in three or more groups, or as a 3-4 local number (321 2345).
        guard d.count <= 13, d.count >= (groups.count >= 3 || groups == [3, 4] ? 7 : 8) else { return false }
        // 1 234 567, 1.234.567: thousands, not a phone number.
        if groups.count >= 3, groups[0] == 1, groups.dropFirst().allSatisfy({ $0 == 3 }) { return false }
        // Two years, 1000-2099, joined by one `-`, `/` or space.
        let text = Array(bytes)
        if text.count == 9, [0x2D, 0x2F, 0x20].contains(text[4]), groups == [4, 4],
           let first = Int(String(decoding: text[0..<4], as: UTF8.self)),
           let second = Int(String(decoding: text[5..<9], as: UTF8.self)),
           (1000...2099).contains(first), (1000...2099).contains(second) { return false }
        // A ZIP+4 code: five digits, `-`, four digits, nothing else (with a leading 0, the
        // context rule may take it back).
        if text.count == 10, text[5] == 0x2D, groups == [5, 4] { return false }
        // Six or more groups of at most three digits.
        if groups.count >= 6 && groups.allSatisfy({ $0 <= 3 }) { return false }
        if looksLikeDate(bytes) { return false }
        var hasParen = false, hasDot = false, hasOther = false, hasSlash = false
        for b in bytes {
            if b == 0x28 { hasParen = true }
            else if b == 0x2E { hasDot = true }
            else if b == 0x20 || b == 0x2D || b == 0x2F { hasOther = true }
            if b == 0x2F { hasSlash = true }
        }
        // Dots as separators stand alone, in three or more groups, 9+ digits (06.12.34.56.78),
        // or follow a trunk-prefixed area code in parentheses ((02).0809.5346).
        let trunkInParentheses = text.first == 0x28 && d.first == 0
        if hasDot && (hasOther || (hasParen && !trunkInParentheses) || groups.count < 3 || d.count < 9) { return false }
        // A one-digit group after the first (978-3-16-148410-0, 1.2.3.4) is an ISBN or a version.
        if !hasParen && Validators.hasSingleDigitInnerGroup(bytes) { return false }
        // 86979/6908 is a fraction; a slash belongs to area codes (0221/1234567, 22/528 7766).
        if hasSlash && groups.count == 2 && d[0] != 0 { return false }
        // The groups' values: counting by ones or twos (19 20 21 22), or zero-filled.
        var values: [Int] = []
        var groupDigits: [[UInt8]] = []
        var rest = d[...]
        for length in groups {
            groupDigits.append(Array(rest.prefix(length)))
            values.append(rest.prefix(length).reduce(0) { $0 * 10 + Int($1) })
            rest = rest.dropFirst(length)
        }
        if groups.count >= 3, groups.allSatisfy({ $0 <= 3 }), d[0] != 0,
           zip(values, values.dropFirst()).allSatisfy({ [1, 2].contains($1 - $0) }) { return false }
        if d.allSatisfy({ $0 == 0 }) || groupDigits.contains(where: { $0.count >= 6 && $0.allSatisfy { $0 == 0 } }) {
            return false
        }
        if d[0] == 0 || hasParen { return true }
        if d[0] == 8 && d.count == 11 { return true }  // RU/KZ/BY trunk 8
        return anyCodeAccepts(d[...])
    }

    /// A bare digit run (no separators, no `+`): ambiguous, so the rules are strict.
    /// `00` + E.164; trunk prefix + a valid national number of a code using that prefix;
    /// 1 + NANP; 8 + 10 digits (RU); an 11-digit Chinese mobile (1[3-9]…); 10 digits of NANP shape
    /// (area and exchange 2-9, exchange not N11; the pattern keeps order/invoice labels out).
    static func phoneBare(_ d: [UInt8]) -> Bool {
        let n = d.count
        guard n >= 9, n <= 15 else { return false }
        if n >= 10, d[0] == 0, d[1] == 0 {
            let rest = d[2...]
            for ccLength in 1...3 where ccLength < rest.count {
                let cc = number(rest.prefix(ccLength))
                if let entry = PhoneMetadata.entry(forCallingCode: cc),
                   entry.accepts(rest.dropFirst(ccLength)) { return true }
            }
            return false
        }
        if d[0] == 0 {
            return trunkZeroAccepts(d.dropFirst()) || PhoneMetadata.entry(forCallingCode: 39)!.accepts(d[...])
        }
        if n == 11 && d[0] == 1 {
            if nanp(d) { return true }
            if d[1] >= 3, PhoneMetadata.entry(forCallingCode: 86)!.accepts(d[...]) { return true }
            return false
        }
        if n == 11 && d[0] == 8 { return true }
        if n == 10 && d[0] >= 2 && d[3] >= 2 && !(d[4] == 1 && d[5] == 1) { return true }  // NANP shape  // RU/KZ/BY trunk 8 + 10 digits: nothing else has this shape
        return false
    }

    /// The lengths of the digit runs in `bytes` (non-ASCII digits count one per scalar).
    static func digitGroups(_ bytes: UnsafeRawBufferPointer) -> [Int] {
        var groups: [Int] = []
        var length = 0
        for b in bytes {
            if b &- 0x30 < 10 || b >= 0xC0 {
                length += 1
            } else if b >= 0x80 {
                continue  // continuation byte
            } else if length > 0 {
                groups.append(length)
                length = 0
            }
        }
        if length > 0 { groups.append(length) }
        return groups
    }

    /// `YYYY-MM-DD`, `DD.MM.YYYY` and the like, with a plausible month and day: dates are not
    /// phone numbers.
    static func looksLikeDate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var groups: [Int] = []
        var lengths: [Int] = []
        var current = 0
        var length = 0
        for b in bytes {
            if b &- 0x30 < 10 {
                current = current * 10 + Int(b - 0x30)
                length += 1
            } else if length > 0 {
                groups.append(current)
                lengths.append(length)
                current = 0
                length = 0
            }
        }
        if length > 0 {
            groups.append(current)
            lengths.append(length)
        }
        guard groups.count >= 3 else { return false }
        if lengths[0] == 4, (1900...2099).contains(groups[0]), (1...12).contains(groups[1]), (1...31).contains(groups[2]) {
            return true
        }
        if lengths[2] == 4, (1900...2099).contains(groups[2]), (1...31).contains(groups[0]), (1...31).contains(groups[1]) {
            return true
        }
        return false
    }
}
