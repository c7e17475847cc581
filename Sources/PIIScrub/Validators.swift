/// Checks run on a PCRE2 match before it is redacted, for formats with a checksum or validity
/// rules (Luhn, mod-97, SSN area rules, ...).
///
/// A validator sees only the matched bytes and answers yes or no; it never logs or keeps them.
/// Pattern files name validators with `"validate": "<name>"`; an unknown name is a load error.
///
/// Validators decide *ambiguous* forms only (bare digit runs, numbers without separators): a value
/// written the way people write that kind of PII gets a pattern without a validator, so a
/// well-formatted but invalid value is still redacted.
public struct Validator: Sendable {
    public let name: String
    let check: @Sendable (UnsafeRawBufferPointer) -> Bool
    /// Built-in only: decides a match that `check` rejected by the text around it (the whole
    /// text, the match's range in it, and the pattern set's 256-entry separator table: the
    /// rule may read no byte beyond a separator, so a text cut at separators scrubs the same).
    let context: (@Sendable (UnsafeRawBufferPointer, Range<Int>, UnsafePointer<UInt8>) -> Bool)?
    /// Built-in only: a rejected match may be cut back at a space, up to `cuts` times (``Trim``).
    let trim: Trim?

    /// How a rejected match of a grouped number is cut back: a regex takes every group it can
    /// (`+1 415 555 0132 2024`, `LT12 1000 0111 0100 1000 SSN`), and the validator then sees one
    /// group too many. The engine tries the match up to each of its last `cuts` spaces (from the
    /// right, where a digit comes before it) and keeps the first one the validator accepts: what
    /// PCRE2 would have matched had it known the validator. A cut ends before a space, which the
    /// lookahead of the phone and IBAN patterns accepts after a match, so the shorter match is one
    /// the regex also finds.
    struct Trim {
        let cuts: Int
    }

    public init(name: String, _ check: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool) {
        self.name = name
        self.check = check
        self.context = nil
        self.trim = nil
    }

    init(name: String, _ check: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool,
         context: (@Sendable (UnsafeRawBufferPointer, Range<Int>, UnsafePointer<UInt8>) -> Bool)? = nil,
         trim: Trim? = nil) {
        self.name = name
        self.check = check
        self.context = context
        self.trim = trim
    }

    /// Whether `match` passes.
    public func callAsFunction(_ match: UnsafeRawBufferPointer) -> Bool { check(match) }

    /// Whether `text[match]` passes, by itself or by the text around it (the context rule, with
    /// the set's 256-entry separator table).
    @inline(__always)
    func accepts(in text: UnsafeRawBufferPointer, _ match: Range<Int>, separators: UnsafePointer<UInt8>) -> Bool {
        if check(UnsafeRawBufferPointer(rebasing: text[match])) { return true }
        guard let context else { return false }
        return context(text, match, separators)
    }
}

/// The registry of built-in validators, by name.
///
/// | name | accepts |
/// |---|---|
/// | `luhn` | digits pass the Luhn check |
/// | `card` | issuer prefix and length of a payment card, and Luhn |
/// | `iban` | IBAN: known country, that country's length, at least 6 digits, mod-97 = 1 |
/// | `iban-format` | IBAN: known country and its length (no checksum; for the grouped form) |
/// | `us-ssn` | SSN/ITIN area, group and serial rules |
/// | `nanp` | a NANP number: assigned area code, exchange 2-9, not N11 (optional leading 1) |
/// | `phone-intl` | `+CC …` / `00CC …`: known calling code, national length in that code's range |
/// | `phone-national` | a grouped national number: 8-13 digits (7 in three groups), not a date, year range, decimal, thousands, ISBN, ZIP+4 code or run of short numbers; trunk-prefixed or plausible; a ZIP+4 shape with a leading 0 unless a postal label is before it (``phoneNationalInContext(_:_:separators:)``) |
/// | `phone-bare` | a digit run: trunk prefix + valid national number, 00 + E.164, 1 + NANP, CN mobile |
/// | `ipv4` | four octets ≤ 255 without leading zeros, not all below 32 (versions like 10.4.22.1) unless the text around says address (``ipv4InContext(_:_:separators:)``) |
/// | `ipv6` | eight groups, or fewer with one `::`; holds a digit; at least 5 hex digits (not `::1`, `1::2`) |
/// | `mixed-base64` | upper case, lower case and a digit (not a hex hash) |
/// | `base64-line` | a PEM/MIME body line: 64, 70 or 76 characters, or ending in `=` padding; and `mixed-base64`; a last line without padding alone between separators or before an escaped `\n-----END ` (``base64LineInContext(_:_:separators:)``) |
/// | `json-escaped` | holds a JSON `\u` escape (`\u` and four hex digits), at most 1,600 bytes: a form that only adds escapes to another pattern's leaves the rest to it |
/// | `credential-token` | the value after the last space holds a digit, punctuation or an inner capital (not a word) |
public enum Validators {
    /// All built-in validators.
    public static let all: [String: Validator] = {
        var table: [String: Validator] = [:]
        for v in builtIn { table[v.name] = v }
        return table
    }()

    // Each runs on every candidate PCRE2 finds, hundreds of thousands per dense corpus: digit
    // values go to a stack buffer and the phone metadata is read from flat tables
    // (``PhoneTable``), so no validator allocates or touches a reference count (before, they were
    // a quarter of the default set's time on the dense corpus). `ValidatorDifferentialTests`
    // holds them to the array-based originals.
    static let builtIn: [Validator] = [
        Validator(name: "luhn") { withDigits(of: $0) { luhn($0) } },
        Validator(name: "card") { withDigits(of: $0) { card($0) } },
        Validator(name: "iban") { iban($0, checksum: true) },
        // A grouped IBAN's optional last group of 1-3 characters takes a short word after it
        // (`LT12 1000 0111 0100 1000 SSN`): cut back to the space before it.
        Validator(name: "iban-format", { iban($0, checksum: false) }, trim: .init(cuts: 1)),
        Validator(name: "us-ssn") { withDigits(of: $0) { usSSN($0) } },
        Validator(name: "nanp") { withDigits(of: $0) { nanp($0) } },
        // An international number takes up to three trailing groups that follow it after a
        // space (`+14155550132 2024-01-01`). (Cutting national numbers back too, `020 7946 0958
        // 1982`, moved matches around in lists of numbers on the bench-peers corpora and found
        // no labelled value more: left.)
        Validator(name: "phone-intl", { phoneInternational($0) }, trim: .init(cuts: 3)),
        Validator(name: "phone-national", { phoneNational($0) },
                  context: { phoneNationalInContext($0, $1, separators: $2) }),
        Validator(name: "phone-bare") { withDigits(of: $0) { phoneBare($0) } },
        Validator(name: "ipv4", { ipv4($0) }, context: { ipv4InContext($0, $1, separators: $2) }),
        Validator(name: "ipv6") { ipv6($0) },
        Validator(name: "mixed-base64") { mixedBase64($0) },
        Validator(name: "credential-token") { credentialToken($0) },
        Validator(name: "json-escaped") { holdsJSONEscape($0) },
        Validator(name: "base64-line", { base64Line($0) }, context: { base64LineInContext($0, $1, separators: $2) }),
    ]

    /// The decimal digit values of `bytes`, in order (separators dropped). Non-ASCII decimal
    /// digits (category Nd: full-width, Arabic-Indic, ...) count with their value.
    public static func digits(of bytes: UnsafeRawBufferPointer) -> [UInt8] {
        withDigits(of: bytes) { Array($0) }
    }

    /// Digit values in a stack buffer (zero-based).
    typealias Digits = UnsafeBufferPointer<UInt8>

    /// Calls `body` with ``digits(of:)``'s values in a temporary (stack) buffer.
    @inline(__always)
    static func withDigits<R>(of bytes: UnsafeRawBufferPointer, _ body: (Digits) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(bytes.count, 1)) { buffer in
            let count = writeDigits(of: bytes, to: buffer.baseAddress!)
            return body(UnsafeBufferPointer(start: buffer.baseAddress!, count: count))
        }
    }

    /// Writes the digit values of `bytes` to `out` (room for `bytes.count`); returns how many.
    static func writeDigits(of bytes: UnsafeRawBufferPointer, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var count = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                if b &- 0x30 < 10 {
                    out[count] = b &- 0x30
                    count += 1
                }
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
                out[count] = UInt8((scalar - range.lowerBound) % 10)
                count += 1
            }
            i += length
        }
        return count
    }

    /// The Luhn (mod 10) check over digit values.
    public static func luhn(_ digits: [UInt8]) -> Bool {
        digits.withUnsafeBufferPointer { luhn($0) }
    }

    static func luhn(_ digits: Digits) -> Bool {
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

    private static func number(_ digits: Slice<Digits>) -> Int {
        digits.reduce(0) { $0 * 10 + Int($1) }
    }

    // MARK: Cards

    /// Issuer prefix and length (Visa, Mastercard, Amex, Diners, Discover, JCB, UnionPay, Maestro,
    /// Mir), then Luhn.
    public static func card(_ digits: [UInt8]) -> Bool {
        digits.withUnsafeBufferPointer { card($0) }
    }

    static func card(_ d: Digits) -> Bool {
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

    /// IBAN lengths by country (ISO 13616 registry, SWIFT IBAN Registry release 99 plus the
    /// partial-participation countries commonly seen).
    static let ibanLengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
        "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
        "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
        "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
        "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
        "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
        "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
        "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
        "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
        // Partial participants (IBAN used, not in the main registry list).
        "DZ": 26, "AO": 25, "BJ": 28, "BF": 28, "CM": 27, "CV": 25, "CF": 27, "TD": 27, "KM": 27, "CG": 27,
        "CI": 28, "GA": 27, "GQ": 27, "GW": 25, "IR": 26, "MG": 27, "ML": 28, "MA": 28, "MZ": 25, "NE": 28,
        "SN": 28, "TG": 28, "HN": 28,
    ]

    /// ``ibanLengths`` by the country's two letters (index 26 × first + second; 0: none).
    static let ibanLengthTable: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 26 * 26)
        for (country, length) in ibanLengths {
            let c = Array(country.utf8)
            table[Int(c[0] - 0x41) * 26 + Int(c[1] - 0x41)] = UInt8(length)
        }
        return table
    }()

    /// Whether `bytes` (separators allowed: space, dash) is an IBAN of a known country and its
    /// length, and (with `checksum`) passes mod-97.
    public static func iban(_ bytes: UnsafeRawBufferPointer, checksum: Bool) -> Bool {
        // More than 34 characters is no IBAN; stop collecting there.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 35) { chars in
            var count = 0
            for b in bytes where b != 0x20 && b != 0x2D {
                guard b < 0x80, count < 35 else { return false }
                chars[count] = b >= 0x61 && b <= 0x7A ? b - 0x20 : b
                count += 1
            }
            return iban(UnsafeBufferPointer(start: chars.baseAddress!, count: count), checksum: checksum)
        }
    }

    /// ``iban(_:checksum:)`` over upper-case ASCII without separators.
    public static func iban(_ chars: [UInt8], checksum: Bool) -> Bool {
        chars.withUnsafeBufferPointer { iban($0, checksum: checksum) }
    }

    static func iban(_ chars: UnsafeBufferPointer<UInt8>, checksum: Bool) -> Bool {
        guard chars.count >= 15, chars.count <= 34 else { return false }
        let c0 = chars[0] &- 0x41, c1 = chars[1] &- 0x41
        guard c0 < 26, c1 < 26, Int(ibanLengthTable[Int(c0) * 26 + Int(c1)]) == chars.count else { return false }
        guard chars[2] &- 0x30 < 10, chars[3] &- 0x30 < 10 else { return false }
        // Every registered IBAN has at least six digits (check digits + numeric bank or account
        // parts); the patterns' prefilter claim relies on it.
        guard chars.reduce(0, { $0 + ($1 &- 0x30 < 10 ? 1 : 0) }) >= 6 else { return false }
        guard checksum else { return true }
        var remainder = 0
        // The first four characters go last.
        for k in 0..<chars.count {
            let c = chars[(k + 4) % chars.count]
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
    public static func usSSN(_ digits: [UInt8]) -> Bool {
        digits.withUnsafeBufferPointer { usSSN($0) }
    }

    static func usSSN(_ d: Digits) -> Bool {
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
    public static func nanp(_ digits: [UInt8]) -> Bool {
        digits.withUnsafeBufferPointer { nanp($0) }
    }

    static func nanp(_ digits: Digits) -> Bool {
        var d = digits[...]
        if d.count == 11 && d.first == 1 { d = d.dropFirst() }
        guard d.count == 10 else { return false }
        let area = number(d.prefix(3))
        let exchange = number(d.dropFirst(3).prefix(3))
        guard PhoneTable.shared.isNANPAreaCode(area) else { return false }
        guard exchange >= 200, exchange % 100 != 11 else { return false }
        return true
    }

    /// `+CC …` or `00CC …`: a known calling code and a national number whose length is in that
    /// code's range. A `(0)` trunk group (`+44 (0)20 …`) is skipped.
    public static func phoneInternational(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // One pass over ASCII bytes, without a digit buffer: only the count and the first six
        // digits (`00`, a code of up to three, the national number's first) decide. A byte of a
        // non-ASCII character before the extension takes the general path.
        let n = bytes.count
        var head: UInt64 = 0  // the first eight digits, one per byte, the first lowest
        var count = 0
        var i = 0
        var trunkSkipped = false
        while i < n {
            let b = bytes[i]
            let d = b &- 0x30
            if d < 10 {
                if count < 8 { head |= UInt64(d) << UInt64(8 * count) }
                count += 1
                i += 1
                continue
            }
            if b >= 0x80 { return phoneInternationalGeneral(bytes) }
            if b == 0x78 || b == 0x58 || b == 0x65 || b == 0x45 { break }
            if !trunkSkipped, b == 0x28, i + 2 < n, bytes[i + 1] == 0x30, bytes[i + 2] == 0x29 {
                i += 3
                trunkSkipped = true
                continue
            }
            i += 1
        }
        @inline(__always) func digit(_ k: Int) -> Int { Int(truncatingIfNeeded: head >> UInt64(8 * k)) & 0xFF }
        var start = 0
        if n > 0 && bytes[0] == 0x30 {  // "00" international prefix
            guard count > 2, digit(0) == 0, digit(1) == 0 else { return false }
            start = 2
            count -= 2
        }
        guard count >= 7, count <= 15 else { return false }
        let table = PhoneTable.shared
        var cc = 0
        for ccLength in 1...3 where ccLength < count {
            cc = cc * 10 + digit(start + ccLength - 1)
            guard let entry = table.entry(forCallingCode: cc) else { continue }
            var national = count - ccLength
            // "+44 0 20 …": a written trunk prefix after the code.
            if national > table.maxLength(entry), digit(start + ccLength) == 0 { national -= 1 }
            if national >= table.minLength(entry) - 1 && national <= table.maxLength(entry) { return true }
        }
        return false
    }

    /// ``phoneInternational(_:)`` for any bytes (non-ASCII digits count with their value).
    static func phoneInternationalGeneral(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(n, 1)) { kept in
            // The bytes up to an extension marker (x, ext), without one "(0)" trunk group.
            var count = 0
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
                kept[count] = b
                count += 1
                i += 1
            }
            return withDigits(of: UnsafeRawBufferPointer(start: kept.baseAddress!, count: count)) { digits in
                var d = digits[...]
                if bytes.first == 0x30 {  // "00" international prefix
                    guard d.count > 2, d[d.startIndex] == 0, d[d.startIndex + 1] == 0 else { return false }
                    d = d.dropFirst(2)
                }
                guard d.count >= 7, d.count <= 15 else { return false }
                let table = PhoneTable.shared
                for ccLength in 1...3 where ccLength < d.count {
                    let cc = number(d.prefix(ccLength))
                    guard let entry = table.entry(forCallingCode: cc) else { continue }
                    var national = d.dropFirst(ccLength)
                    // "+44 0 20 …": a written trunk prefix after the code.
                    if national.count > table.maxLength(entry), national.first == 0 { national = national.dropFirst() }
                    if national.count >= table.minLength(entry) - 1 && national.count <= table.maxLength(entry) {
                        return true
                    }
                }
                return false
            }
        }
    }

    /// A grouped national number (the pattern requires separators): 9-13 digits, not a date, dots
    /// not mixed with other separators;
    /// with a trunk prefix (`0…`, `8 (…)`) or area code in parentheses the length is enough,
    /// otherwise some calling code must accept it (length and 3-digit prefix).
    public static func phoneNational(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // Hot on digit-dense text (a thousand candidates per MiB of OTLP): all-ASCII candidates
        // are decided in one pass that collects what the rules below read (digit count, the
        // digit runs, the first three runs' values, separators), with no digit buffer; a byte of
        // a non-ASCII character takes the general path. The rules and their order are those of
        // ``phoneNational(_:digits:)``.
        let n = bytes.count
        var digits = 0
        var prefix = 0  // the first three digits as a number
        var runs = 0, first = 0, second = 0, longest = 0
        var restAreThree = true
        var singleDigitInnerRun = false
        var value0 = 0, value1 = 0, value2 = 0, length0 = 0, length1 = 0, length2 = 0
        var hasParen = false, hasDot = false, hasOther = false, hasSlash = false
        var length = 0
        var value = 0
        var previous = 0, smallSteps = true  // see isCountingSequence
        var zeros = 0, longZeroRun = false  // see isZeroFill
        var i = 0
        while true {
            let b: UInt8 = i < n ? bytes[i] : 0x20
            let d = b &- 0x30
            if d < 10 {
                if digits < 3 { prefix = prefix &* 10 &+ Int(d) }
                digits &+= 1
                length &+= 1
                value = value &* 10 &+ Int(d)
                i += 1
                continue
            }
            if b >= 0x80 { return phoneNationalGeneral(bytes) }
            if length > 0 {
                // A run ends (at a separator, or at the end, read as a space).
                if runs > 0 && !(1...2).contains(value &- previous) { smallSteps = false }  // wraps only on runs too long to matter
                previous = value
                if value == 0 {
                    zeros += length
                    if length >= 6 { longZeroRun = true }
                }
                longest = max(longest, length)
                if runs == 0 {
                    first = length
                } else {
                    if runs == 1 { second = length }
                    if length != 3 { restAreThree = false }
                    if length == 1 { singleDigitInnerRun = true }
                }
                switch runs {
                case 0: (value0, length0) = (value, length)
                case 1: (value1, length1) = (value, length)
                case 2: (value2, length2) = (value, length)
                default: break
                }
                runs += 1
                length = 0
                value = 0
            }
            if i >= n { break }
            if b == 0x28 { hasParen = true }
            else if b == 0x2E { hasDot = true }
            else if b == 0x20 || b == 0x2D || b == 0x2F { hasOther = true }
            if b == 0x2F { hasSlash = true }
            i += 1
        }
        guard digits >= 7, digits <= 13 else { return false }
        if isZIPPlus4(bytes) { return false }
        let localNumber = runs == 2 && first == 3 && second == 4
        guard digits >= (runs >= 3 || localNumber ? 7 : 8) else { return false }
        if runs >= 3, first == 1, restAreThree { return false }
        if isYearRange(bytes) { return false }
        if runs >= 6 && longest <= 3 { return false }
        if runs >= 3 && isDate((value0, value1, value2), lengths: (length0, length1, length2)) { return false }
        if hasDot && (hasOther || (hasParen && !(bytes[0] == 0x28 && prefix < 100)) || runs < 3 || digits < 9) { return false }
        if !hasParen && singleDigitInnerRun { return false }
        let leading = prefix / 100
        if hasSlash && runs == 2 && leading != 0 { return false }
        if runs >= 3 && longest <= 3 && leading != 0 && smallSteps { return false }  // isCountingSequence
        if zeros == digits || longZeroRun { return false }  // isZeroFill
        if leading == 0 || hasParen { return true }
        if leading == 8 && digits == 11 { return true }
        return PhoneTable.shared.anyCodeAccepts(length: digits, prefix: prefix)
    }

    /// ``phoneNational(_:)`` for any bytes (non-ASCII digits count with their value).
    static func phoneNationalGeneral(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // Reject by ASCII digit count before allocating anything.
        var asciiDigits = 0
        var nonASCII = false
        for b in bytes {
            if b &- 0x30 < 10 { asciiDigits += 1 } else if b >= 0x80 { nonASCII = true }
        }
        if !nonASCII && (asciiDigits < 7 || asciiDigits > 13) { return false }
        return withDigits(of: bytes) { d in phoneNational(bytes, digits: d) }
    }

    private static func phoneNational(_ bytes: UnsafeRawBufferPointer, digits d: Digits) -> Bool {
        let lengths = groupLengths(bytes)
        let groups = DigitGroups(lengths)
        // Seven digits only in three or more groups, or as a 3-4 local number (321 2345).
        let localNumber = groups.count == 2 && groups.first == 3 && groups.second == 4
        guard d.count <= 13, d.count >= (groups.count >= 3 || localNumber ? 7 : 8) else { return false }
        // 1 234 567, 1.234.567: thousands, not a phone number.
        if groups.count >= 3, groups.first == 1, groups.restAreThree { return false }
        // (1869-1948), 1995-2000: a range of years (a third of the default set's matches on
        // prose before this rule: 2,300 of clean.txt's 2,919).
        if isYearRange(bytes) { return false }
        if isZIPPlus4(bytes) { return false }
        // 8 13 21 34 55 89, 377 377 377 377: a sequence of short numbers (a table row, a dump),
        // not a number in groups; no national format has six groups of at most three digits.
        if groups.count >= 6 && groups.longest <= 3 { return false }
        if looksLikeDate(bytes) { return false }
        var hasParen = false, hasDot = false, hasOther = false, hasSlash = false
        for b in bytes {
            if b == 0x28 { hasParen = true }
            else if b == 0x2E { hasDot = true }
            else if b == 0x20 || b == 0x2D || b == 0x2F { hasOther = true }
            if b == 0x2F { hasSlash = true }
        }
        // Dots as separators stand alone, in three or more groups, 9+ digits (06.12.34.56.78),
        // or follow a trunk-prefixed area code in parentheses ((02).0809.5346, Australia);
        // "0.1234 0.5678" and "175.834164" are decimals, "11.28.123" a version.
        let trunkInParentheses = bytes.first == 0x28 && d[0] == 0
        if hasDot && (hasOther || (hasParen && !trunkInParentheses) || groups.count < 3 || d.count < 9) { return false }
        // A one-digit group after the first (978-3-16-148410-0, 1.2.3.4) is an ISBN or a version.
        if !hasParen && hasSingleDigitInnerGroup(bytes) { return false }
        // 86979/6908 is a fraction; a slash belongs to area codes (0221/1234567, 22/528 7766).
        if hasSlash && groups.count == 2 && d[0] != 0 { return false }
        // (A byte of another non-digit character would make the groups disagree with the
        // digits: never in a match, whose characters are digits and separators.)
        if lengths.reduce(0, +) == d.count && (isCountingSequence(lengths, d) || isZeroFill(lengths, d)) { return false }
        if d[0] == 0 || hasParen { return true }
        if d[0] == 8 && d.count == 11 { return true }  // RU/KZ/BY trunk 8
        return PhoneTable.shared.anyCodeAccepts(d[...])
    }

    /// 19 20 21 22 23, 8 10 12 14, 103-104 106 108: three or more groups of at most three
    /// digits, each one or two more than the one before (a calendar row, a list of pages or
    /// failed tests), not starting with 0. No national number is written so but by chance.
    /// `lengths` must add up to `d.count`.
    static func isCountingSequence(_ lengths: [Int], _ d: Digits) -> Bool {
        guard lengths.count >= 3, lengths.allSatisfy({ $0 <= 3 }), d[0] != 0 else { return false }
        var at = 0
        var previous = 0
        for (k, length) in lengths.enumerated() {
            let value = d[at..<(at + length)].reduce(0) { $0 * 10 + Int($1) }
            if k > 0 && !(1...2).contains(value - previous) { return false }
            previous = value
            at += length
        }
        return true
    }

    /// 00 00 00 00 00, 100644 0000000: all digits 0, or a group of six or more 0s (a hex dump,
    /// a null object id); no subscriber number is. `lengths` must add up to `d.count`.
    static func isZeroFill(_ lengths: [Int], _ d: Digits) -> Bool {
        if d.allSatisfy({ $0 == 0 }) { return true }
        var at = 0
        for length in lengths {
            if length >= 6 && d[at..<(at + length)].allSatisfy({ $0 == 0 }) { return true }
            at += length
        }
        return false
    }

    /// The lengths of the digit groups of `bytes`, a non-ASCII digit counting as one (any lead
    /// byte is taken for a digit's: a match holds only digits and ASCII separators).
    static func groupLengths(_ bytes: UnsafeRawBufferPointer) -> [Int] {
        var lengths: [Int] = []
        var length = 0
        for b in bytes {
            if b &- 0x30 < 10 || b >= 0xC0 {
                length += 1
            } else if b >= 0x80 {
                continue  // continuation byte
            } else if length > 0 {
                lengths.append(length)
                length = 0
            }
        }
        if length > 0 { lengths.append(length) }
        return lengths
    }

    /// 94105-1234, WA 98101-2345: a US ZIP+4 code. The same shape is a Brazilian mobile written
    /// without its area code (91234-5678), read as a ZIP code here: without the area code it is
    /// the ambiguous form, ZIP+4 codes are far more common in the text this tool sees, and none of
    /// Faker's locales writes a phone number so. With a leading 0 it may also be a trunk-prefixed
    /// area code and subscriber number (02134-1234): the text before it decides
    /// (``phoneNationalInContext(_:_:separators:)``).
    static func isZIPPlus4(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == 10, bytes[5] == 0x2D else { return false }
        for i in 0..<10 where i != 5 && bytes[i] &- 0x30 >= 10 { return false }
        return true
    }

    /// Whether a match ``phoneNational(_:)`` rejected is a phone number by the text before it:
    /// a ZIP+4 shape with a leading 0 (`02134-1234`, a trunk prefix and a subscriber number as
    /// often as a ZIP+4 code of New England, New Jersey or Puerto Rico), not all zeros, is one
    /// unless a postal label comes right before it: ``postalWords`` as the last part of an
    /// identifier (`zip=`, `"zipcode": "`, `ZIP: `), `code` after `zip`, `postal` or `post`
    /// (`zip_code`, `postalCode`, `ZIP code `), or a state whose codes start with 0 and one space
    /// (`Newark, NJ `, ``zeroZIPStates``, upper case). Reads no byte past a separator of the set
    /// (as ``ipv4InContext(_:_:separators:)``).
    public static func phoneNationalInContext(_ text: UnsafeRawBufferPointer, _ match: Range<Int>,
                                              separators: UnsafePointer<UInt8>) -> Bool {
        let bytes = UnsafeRawBufferPointer(rebasing: text[match])
        guard bytes.first == 0x30, isZIPPlus4(bytes), bytes.contains(where: { $0 &- 0x31 < 9 }) else { return false }
        return !hasPostalLabel(text, before: match.lowerBound, separators: separators)
    }

    /// The last parts of identifiers that label a ZIP code (lower case), for
    /// ``phoneNationalInContext(_:_:separators:)``.
    public static let postalWords: [String] = ["zip", "zipcode", "zip4", "postcode", "postal", "postalcode"]

    /// The US states and territories whose ZIP codes start with 0 (and the armed forces in
    /// Europe, 09xxx), as written before a ZIP code.
    public static let zeroZIPStates: [String] = ["CT", "MA", "ME", "NH", "NJ", "NY", "PR", "RI", "VT", "VI", "AE"]

    private static let postalWordBytes: [[UInt8]] = postalWords.map { Array($0.utf8) }
    private static let codePrefixes: [[UInt8]] = ["zip", "postal", "post"].map { Array($0.utf8) }
    private static let codeWord: [UInt8] = Array("code".utf8)

    private static func hasPostalLabel(_ text: UnsafeRawBufferPointer, before start: Int,
                                       separators: UnsafePointer<UInt8>) -> Bool {
        guard let label = label(before: start, in: text, separators: separators) else { return false }
        let last = label.last
        if postalWordBytes.contains(where: { equalsIgnoringCase(text, last, $0) }) { return true }
        if equalsIgnoringCase(text, last, codeWord) {
            var before = part(before: last, from: label.start, in: text, jointRequired: false)
            // `ZIP code: `: the word before, after one space that is not a separator.
            if before == nil, last.lowerBound == label.start, label.start >= 2,
               text[label.start - 1] == UInt8(ascii: " "), separators[Int(UInt8(ascii: " "))] == 0 {
                var i = label.start - 1
                while i > 0, label.start - 1 - i < 8, separators[Int(text[i - 1])] == 0,
                      text[i - 1] | 0x20 &- 0x61 < 26 { i -= 1 }
                if i < label.start - 1 { before = i..<(label.start - 1) }
            }
            if let before, codePrefixes.contains(where: { equalsIgnoringCase(text, before, $0) }) { return true }
        }
        // `NJ 07102-1234`: a state code alone, upper case, one space before the number.
        guard label.glue.count == 1, text[label.glue.lowerBound] == UInt8(ascii: " "),
              last.lowerBound == label.start, last.count == 2
        else { return false }
        return zeroZIPStates.contains { $0.utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: text[last])) }
    }

    /// A bare digit run (no separators, no `+`): ambiguous, so the rules are strict.
    /// `00` + E.164; trunk prefix + a valid national number of a code using that prefix;
    /// 1 + NANP; 8 + 10 digits (RU); an 11-digit Chinese mobile (1[3-9]…); 10 digits of NANP shape
    /// (area and exchange 2-9, exchange not N11; the pattern keeps order/invoice labels out).
    public static func phoneBare(_ digits: [UInt8]) -> Bool {
        digits.withUnsafeBufferPointer { phoneBare($0) }
    }

    static func phoneBare(_ d: Digits) -> Bool {
        let n = d.count
        guard n >= 9, n <= 15 else { return false }
        let table = PhoneTable.shared
        if n >= 10, d[0] == 0, d[1] == 0 {
            let rest = d[2...]
            for ccLength in 1...3 where ccLength < rest.count {
                let cc = number(rest.prefix(ccLength))
                if let entry = table.entry(forCallingCode: cc), table.accepts(entry, rest.dropFirst(ccLength)) {
                    return true
                }
            }
            return false
        }
        if d[0] == 0 {
            return table.trunkZeroAccepts(d.dropFirst()) || table.accepts(table.entry(forCallingCode: 39)!, d[...])
        }
        if n == 11 && d[0] == 1 {
            if nanp(d) { return true }
            if d[1] >= 3, table.accepts(table.entry(forCallingCode: 86)!, d[...]) { return true }
            return false
        }
        if n == 11 && d[0] == 8 { return true }
        if n == 10 && d[0] >= 2 && d[3] >= 2 && !(d[4] == 1 && d[5] == 1) { return true }  // NANP shape  // RU/KZ/BY trunk 8 + 10 digits: nothing else has this shape
        return false
    }

    /// What ``phoneNational(_:)`` needs of the lengths of the digit runs in `bytes` (non-ASCII
    /// characters count as one digit each): how many, the first two, and whether all after the
    /// first are 3 long.
    struct DigitGroups {
        var count = 0
        var first = 0
        var second = 0
        var longest = 0
        var restAreThree = true

        init(_ lengths: [Int]) {
            for length in lengths { add(length) }
        }

        private mutating func add(_ length: Int) {
            longest = max(longest, length)
            if count == 0 { first = length } else {
                if count == 1 { second = length }
                if length != 3 { restAreThree = false }
            }
            count += 1
        }
    }

    /// Two 4-digit groups that are both years 1000-2099 (`1869-1948`, `2013/2022`, `1995 2000`).
    static func isYearRange(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == 9, bytes[4] == 0x2D || bytes[4] == 0x2F || bytes[4] == 0x20 else { return false }
        func year(_ at: Int) -> Int? {
            var value = 0
            for k in at..<(at + 4) {
                let d = bytes[k] &- 0x30
                guard d < 10 else { return nil }
                value = value * 10 + Int(d)
            }
            return value
        }
        guard let a = year(0), let b = year(5) else { return false }
        return (1000...2099).contains(a) && (1000...2099).contains(b)
    }

    static func hasSingleDigitInnerGroup(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var group = 0
        var length = 0
        for b in bytes {
            if b &- 0x30 < 10 || b >= 0x80 {
                if b < 0x80 || b & 0xC0 != 0x80 { length += 1 }
            } else if length > 0 {
                if group > 0 && length == 1 { return true }
                group += 1
                length = 0
            }
        }
        return group > 0 && length == 1
    }

    /// `YYYY-MM-DD`, `DD.MM.YYYY` and the like, with a plausible month and day: dates are not
    /// phone numbers.
    static func looksLikeDate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // The first three ASCII digit groups: their values and lengths.
        var groups = (0, 0, 0)
        var lengths = (0, 0, 0)
        var count = 0
        var current = 0
        var length = 0
        func close() {
            switch count {
            case 0: (groups.0, lengths.0) = (current, length)
            case 1: (groups.1, lengths.1) = (current, length)
            case 2: (groups.2, lengths.2) = (current, length)
            default: break
            }
            count += 1
        }
        for b in bytes {
            if b &- 0x30 < 10 {
                current = current &* 10 &+ Int(b - 0x30)
                length += 1
            } else if length > 0 {
                close()
                current = 0
                length = 0
            }
        }
        if length > 0 { close() }
        guard count >= 3 else { return false }
        return isDate(groups, lengths: lengths)
    }

    /// ``looksLikeDate(_:)`` given the values and lengths of the first three of at least three
    /// digit groups.
    @inline(__always)
    static func isDate(_ groups: (Int, Int, Int), lengths: (Int, Int, Int)) -> Bool {
        if lengths.0 == 4, (1900...2099).contains(groups.0), (1...12).contains(groups.1), (1...31).contains(groups.2) {
            return true
        }
        if lengths.2 == 4, (1900...2099).contains(groups.2), (1...31).contains(groups.0), (1...31).contains(groups.1) {
            return true
        }
        return false
    }

    // MARK: IP addresses

    /// Four dotted octets ≤ 255 without leading zeros. All four octets below 32 reads as a version
    /// number (`10.4.22.1`, `1.2.3.4`), not an address, unless the text around it says otherwise
    /// (``ipv4InContext(_:_:separators:)``). A trailing `.`, `/nn` or `:port` is ignored.
    public static func ipv4(_ bytes: UnsafeRawBufferPointer) -> Bool {
        ipv4Shape(bytes) == .address
    }

    /// How ``ipv4(_:)`` reads a match.
    enum IPv4Shape {
        /// Not four octets ≤ 255 without leading zeros.
        case invalid
        /// Four octets, all below 32: a version number, or an address the context names.
        case smallOctets
        case address
    }

    static func ipv4Shape(_ bytes: UnsafeRawBufferPointer) -> IPv4Shape {
        var count = 0
        var anyLarge = false
        var value = -1
        var length = 0
        for b in bytes {
            if b &- 0x30 < 10 {
                if length > 0 && value == 0 { return .invalid }  // leading zero
                value = (value < 0 ? 0 : value) * 10 + Int(b - 0x30)
                length += 1
                if value > 255 { return .invalid }
            } else if b == 0x2E {
                if value < 0 { break }
                count += 1
                anyLarge = anyLarge || value >= 32
                value = -1
                length = 0
                if count == 4 { break }
            } else {
                break
            }
        }
        if value >= 0 && count < 4 {
            count += 1
            anyLarge = anyLarge || value >= 32
        }
        guard count == 4 else { return .invalid }
        return anyLarge ? .address : .smallOctets
    }

    /// Whether a match of four octets all below 32, which ``ipv4(_:)`` takes for a version
    /// number, is an address by the text around it: a port right after it (`10.0.0.8:443`,
    /// `1.0.0.1:8080`, sshd's `10.0.0.5 port 22`), an access log line's rest (`10.1.2.3 - - [`),
    /// or an address word right before it, past at most 16 bytes of spaces,
    /// punctuation and non-ASCII characters (`IP = `, `remote_addr": "`, `SRC_IP=`, `client IP - `,
    /// `IPアドレス:`). The word is the last part of an identifier (split at `_`, `-` and where a
    /// lower-case letter meets an upper-case one), without case: ``ipv4AddressWords``, or `for`
    /// after `forwarded` (`x_forwarded_for`). `version`, `build`, `release` are none of them.
    ///
    /// Reads no byte past a separator of the set (`separators`: 256 entries, nonzero for a
    /// separator) and takes a separator for the edge of the text: a text cut after one (streaming,
    /// parallel blocks) decides the same as the whole.
    public static func ipv4InContext(_ text: UnsafeRawBufferPointer, _ match: Range<Int>,
                                     separators: UnsafePointer<UInt8>) -> Bool {
        guard ipv4Shape(UnsafeRawBufferPointer(rebasing: text[match])) == .smallOctets else { return false }
        return hasAddressSuffix(text, after: match.upperBound, separators: separators)
            || hasAddressWord(text, before: match.lowerBound, separators: separators)
    }

    /// The words that name an IPv4 address before it (lower case), for ``ipv4InContext(_:_:separators:)``.
    public static let ipv4AddressWords: [String] = [
        "ip", "ipv4", "ipaddr", "ipaddress", "addr", "address", "adresse", "adresa", "host", "hostname", "server",
        "dns", "nameserver", "resolver", "gateway", "proxy", "peer", "src", "dst", "source", "destination", "forwarded",
    ]

    private static let addressWords: [[UInt8]] = ipv4AddressWords.map { Array($0.utf8) }
    private static let forWord: [UInt8] = Array("for".utf8)
    private static let forwardedWord: [UInt8] = Array("forwarded".utf8)

    /// What follows at `end` says address: a port, after `:` or as sshd writes it (`10.0.0.5 port
    /// 22`), or the rest of an access log line's start (`10.1.2.3 - - [06/Dec/2026:…`). The byte
    /// at `end` follows a digit of the match, so it is never cut away; the next ones are read only
    /// while no separator comes before them.
    private static func hasAddressSuffix(_ text: UnsafeRawBufferPointer, after end: Int,
                                         separators: UnsafePointer<UInt8>) -> Bool {
        if let i = literal(":", in: text, at: end, separators) { return isPort(text, at: i, separators) }
        if let i = literal(" port ", in: text, at: end, separators) { return isPort(text, at: i, separators) }
        return literal(" - - [", in: text, at: end, separators) != nil
    }

    /// The position after `word` (ASCII) when `text[at...]` starts with it, or nil; reads no byte
    /// after a separator (a cut may fall there).
    private static func literal(_ word: StaticString, in text: UnsafeRawBufferPointer, at: Int,
                                _ separators: UnsafePointer<UInt8>) -> Int? {
        var i = at
        for k in 0..<word.utf8CodeUnitCount {
            if k > 0 && separators[Int(text[i - 1])] != 0 { return nil }
            guard i < text.count, text[i] == word.utf8Start[k] else { return nil }
            i += 1
        }
        return i
    }

    /// A port at `i` (after the separator-free byte before it): 1-5 digits, at most 65535, not
    /// followed by a digit, `.` or `:`.
    private static func isPort(_ text: UnsafeRawBufferPointer, at start: Int, _ separators: UnsafePointer<UInt8>) -> Bool {
        guard separators[Int(text[start - 1])] == 0 else { return false }
        var i = start
        var port = 0
        while i < text.count, i - start < 5, text[i] &- 0x30 < 10 {
            port = port * 10 + Int(text[i] &- 0x30)
            i += 1
        }
        guard i > start, port <= 65535 else { return false }
        guard i < text.count else { return true }
        let next = text[i]
        return !(next &- 0x30 < 10 || next == UInt8(ascii: ".") || next == UInt8(ascii: ":"))
    }

    /// An address word (``ipv4AddressWords``) before `start`, past glue (``label(before:in:separators:)``).
    private static func hasAddressWord(_ text: UnsafeRawBufferPointer, before start: Int,
                                       separators: UnsafePointer<UInt8>) -> Bool {
        guard let label = label(before: start, in: text, separators: separators) else { return false }
        if addressWords.contains(where: { equalsIgnoringCase(text, label.last, $0) }) { return true }
        // `x_forwarded_for`: `for` after `forwarded`.
        guard equalsIgnoringCase(text, label.last, forWord),
              let before = part(before: label.last, from: label.start, in: text, jointRequired: true)
        else { return false }
        return equalsIgnoringCase(text, before, forwardedWord)
    }

    /// The identifier that labels the value at `start`: the bytes before it, past at most 16
    /// bytes of glue (spaces, `=:"'\([<`*#-|` and non-ASCII bytes), that are ASCII letters,
    /// digits, `_` and `-` (at most 32). Its start, its last part (``lastPart(_:from:to:)``) and
    /// the glue's range; nil when there is none or a separator comes first (reads no byte past
    /// one).
    private static func label(before start: Int, in text: UnsafeRawBufferPointer,
                              separators: UnsafePointer<UInt8>) -> (start: Int, last: Range<Int>, glue: Range<Int>)? {
        var i = start
        while i > 0, start - i < 16 {
            let b = text[i - 1]
            if separators[Int(b)] != 0 { return nil }
            guard b >= 0x80 || isLabelGlue(b) else { break }
            i -= 1
        }
        let end = i
        while i > 0, end - i < 32 {
            let b = text[i - 1]
            guard separators[Int(b)] == 0, isIdentifierByte(b) else { break }
            i -= 1
        }
        guard let last = lastPart(text, from: i, to: end) else { return nil }
        return (i, last, end..<start)
    }

    /// The part of an identifier starting at `from` before its part `last`: after a `_` or `-`
    /// (`x_forwarded_for`), or, unless `jointRequired`, where the case changes (`zipCode`); nil
    /// when `last` is the first part.
    private static func part(before last: Range<Int>, from: Int, in text: UnsafeRawBufferPointer,
                             jointRequired: Bool) -> Range<Int>? {
        guard last.lowerBound > from else { return nil }
        let joint = text[last.lowerBound - 1]
        if joint == UInt8(ascii: "_") || joint == UInt8(ascii: "-") {
            return last.lowerBound - 1 > from ? lastPart(text, from: from, to: last.lowerBound - 1) : nil
        }
        return jointRequired ? nil : lastPart(text, from: from, to: last.lowerBound)
    }

    @inline(__always)
    private static func isLabelGlue(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: " "), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "\""), UInt8(ascii: "'"),
             UInt8(ascii: "\\"), UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "<"), UInt8(ascii: "`"),
             UInt8(ascii: "*"), UInt8(ascii: "#"), UInt8(ascii: "-"), UInt8(ascii: "|"):
            return true
        default:
            return false
        }
    }

    @inline(__always)
    private static func isIdentifierByte(_ b: UInt8) -> Bool {
        b &- 0x30 < 10 || (b | 0x20) &- 0x61 < 26 || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }

    /// The last part of the identifier `text[from..<to]`: after its last `_` or `-`, or from an
    /// upper-case letter that follows a lower-case one (`clientIp` → `Ip`); nil when empty.
    private static func lastPart(_ text: UnsafeRawBufferPointer, from: Int, to end: Int) -> Range<Int>? {
        var start = end
        while start > from {
            let b = text[start - 1]
            if b == UInt8(ascii: "_") || b == UInt8(ascii: "-") { break }
            start -= 1
            if b &- 0x41 < 26, start > from, text[start - 1] &- 0x61 < 26 { break }
        }
        return start < end ? start..<end : nil
    }

    private static func equalsIgnoringCase(_ text: UnsafeRawBufferPointer, _ range: Range<Int>, _ word: [UInt8]) -> Bool {
        guard range.count == word.count else { return false }
        // ORing in 0x20 lowers ASCII letters and leaves digits (`v4`) as they are.
        for (k, w) in word.enumerated() where text[range.lowerBound + k] | 0x20 != w { return false }
        return true
    }

    /// Eight hex groups, or fewer with exactly one `::` (an embedded IPv4 tail counts as two), at
    /// least one decimal digit and five hex digits (`::1`, `1::2` and `a::b` are code, not addresses).
    public static func ipv6(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var groups = 0
        var doubleColons = 0
        var hasDigit = false
        var i = 0
        let n = bytes.count
        var groupLength = 0
        var previousColon = false
        var sawDot = false
        var hexDigits = 0
        while i < n {
            let b = bytes[i]
            if b == 0x3A {
                if previousColon { doubleColons += 1 }
                if groupLength > 0 { groups += 1 }
                groupLength = 0
                previousColon = true
            } else if b == 0x2E {
                sawDot = true
                previousColon = false
                groupLength += 1
            } else if b == 0x25 || b == 0x2F {  // zone id or prefix length
                break
            } else {
                if b &- 0x30 < 10 { hasDigit = true }
                hexDigits += 1
                groupLength += 1
                if groupLength > 4 && !sawDot { return false }
                previousColon = false
            }
            i += 1
        }
        if groupLength > 0 { groups += sawDot ? 2 : 1 }
        guard hasDigit, hexDigits >= 5, doubleColons <= 1 else { return false }
        return doubleColons == 1 ? groups <= 7 : groups == 8
    }

    // MARK: Secrets

    /// Upper case, lower case and a digit: random base64 material, not a hex hash or a word.
    public static func mixedBase64(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var upper = false, lower = false, digit = false
        for b in bytes {
            if b &- 0x41 < 26 { upper = true }
            else if b &- 0x61 < 26 { lower = true }
            else if b &- 0x30 < 10 { digit = true }
        }
        return upper && lower && digit
    }

    /// A line of base64 key material: exactly 64, 70 or 76 characters (PEM and MIME line widths),
    /// or a final line that ends in `=` padding; and ``mixedBase64(_:)``. A leading JSON escape
    /// `\n`/`\r` is skipped.
    public static func base64Line(_ raw: UnsafeRawBufferPointer) -> Bool {
        let bytes = UnsafeRawBufferPointer(rebasing: raw[lineBody(raw.indices, in: raw)])
        let padded = bytes.last == 0x3D
        let length = bytes.count
        guard padded || length == 64 || length == 70 || length == 76 else { return false }
        return mixedBase64(bytes)
    }

    /// The line of a `base64-line` match at `match` in `text`: without the JSON-escaped newline
    /// (`\n`, `\r`) that `private-key-line-escaped` matches before it.
    @inline(__always)
    private static func lineBody(_ match: Range<Int>, in text: UnsafeRawBufferPointer) -> Range<Int> {
        let escaped = match.count > 2 && text[match.lowerBound] == 0x5C
            && (text[match.lowerBound + 1] == 0x6E || text[match.lowerBound + 1] == 0x72)
        return escaped ? (match.lowerBound + 2)..<match.upperBound : match
    }

    /// Whether `bytes` hold a JSON `\u` escape (a backslash, `u` and four hex digits) and are
    /// at most 1,600 bytes long (the bound of `email-json-escaped`, whose regex repeats without
    /// counts: PCRE2 compiles a counted repeat of a group as that many copies of it, and the
    /// counted form cost 4 M instructions of start-up).
    public static func holdsJSONEscape(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 6, bytes.count <= 1600 else { return false }
        for i in 0...(bytes.count - 6) where bytes[i] == 0x5C && bytes[i + 1] == 0x75 {
            if (2..<6).allSatisfy({ isHexDigit(bytes[i + $0]) }) { return true }
        }
        return false
    }

    @inline(__always)
    private static func isHexDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 || (b | 0x20) &- 0x61 < 6 }

    /// Whether a line ``base64Line(_:)`` rejected is the last line of a PEM body by the text
    /// around it: a multiple of 4 characters (whole base64 quanta, no padding),
    /// ``mixedBase64(_:)`` with the class changes of random text (``changesClassOften(_:)``), and
    /// either alone between separators of the set and 32 or more characters (a line of its own:
    /// the byte before and the byte after are separators, or the text's edges) or, JSON-escaped,
    /// 16 or more characters after a full line (64 base64 characters right before the escape, or
    /// before its `\r`) and before the escaped newline and the block's end
    /// (`\n-----END `). Reads no byte past a separator. (The full line before keeps the pattern's
    /// prefilter claim true: such a match lies in a window of at least 64 bytes.)
    public static func base64LineInContext(_ text: UnsafeRawBufferPointer, _ match: Range<Int>,
                                           separators: UnsafePointer<UInt8>) -> Bool {
        let body = lineBody(match, in: text)
        let escaped = body != match
        let line = UnsafeRawBufferPointer(rebasing: text[body])
        guard line.count >= 16, line.count % 4 == 0, mixedBase64(line), changesClassOften(line) else { return false }
        if escaped {
            // The full line before, past a `\r` escape of a CRLF body (the match starts at `\n`).
            var before = match.lowerBound
            if before >= 2, text[before - 1] == UInt8(ascii: "r"), text[before - 2] == 0x5C,
               separators[0x5C] == 0, separators[Int(UInt8(ascii: "r"))] == 0 {
                before -= 2
            }
            guard before >= 64 else { return false }
            for i in (before - 64)..<before {
                let b = text[i]
                guard separators[Int(b)] == 0, isBase64Byte(b) else { return false }
            }
            return literal("\\n-----END ", in: text, at: match.upperBound, separators) != nil
                || literal("\\r\\n-----END ", in: text, at: match.upperBound, separators) != nil
        }
        // Alone: 32 or more characters (the pattern's validLengthUnlessAlone claim, by which the
        // block gate marks runs of 32).
        return line.count >= 32 && standsAlone(match, in: text.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                               count: text.count, separators: separators)
    }

    @inline(__always)
    private static func isBase64Byte(_ b: UInt8) -> Bool {
        b &- 0x30 < 10 || (b | 0x20) &- 0x61 < 26 || b == UInt8(ascii: "+") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
    }

    /// Whether the character class (upper case, lower case, digit, other) changes between at
    /// least 2 of 5 neighbouring pairs: random base64 changes at about 2 of 3, an identifier
    /// (`getUser2FactorAuthenticationToken`) at 1 of 4.
    static func changesClassOften(_ bytes: UnsafeRawBufferPointer) -> Bool {
        @inline(__always) func kind(_ b: UInt8) -> UInt8 {
            b &- 0x41 < 26 ? 0 : b &- 0x61 < 26 ? 1 : b &- 0x30 < 10 ? 2 : 3
        }
        guard bytes.count > 1 else { return false }
        var changes = 0
        for i in 1..<bytes.count where kind(bytes[i]) != kind(bytes[i - 1]) { changes += 1 }
        return changes * 5 >= (bytes.count - 1) * 2
    }

    /// The token after the last space (`Bearer <token>`) is at least 8 characters and holds a
    /// digit, one of `._~+/=-`, or a capital after its first character: a credential, not a word
    /// such as "authentication".
    public static func credentialToken(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x20 { start = i + 1 }
        let token = UnsafeRawBufferPointer(rebasing: bytes[start...])
        guard token.count >= 8 else { return false }
        for (i, b) in token.enumerated() {
            if b &- 0x30 < 10 || b == 0x2E || b == 0x5F || b == 0x7E || b == 0x2B || b == 0x2F || b == 0x3D || b == 0x2D {
                return true
            }
            if i > 0 && b &- 0x41 < 26 { return true }
        }
        return false
    }
}
