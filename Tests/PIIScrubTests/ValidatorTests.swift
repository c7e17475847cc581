import Foundation
import PIIScrub
import PIIScrubTestSupport
import Testing

/// Table-driven cases for every built-in validator (the `default` set's checksums and rules).
@Suite("Validators")
struct ValidatorTests {
    struct Case: CustomStringConvertible, Sendable {
        var validator: String
        var input: String
        var valid: Bool
        var description: String { "\(validator)/\(escaped(Array(input.utf8)))" }
    }

    static func cases(_ validator: String, valid: [String], invalid: [String]) -> [Case] {
        valid.map { Case(validator: validator, input: $0, valid: true) }
            + invalid.map { Case(validator: validator, input: $0, valid: false) }
    }

    static let all: [Case] =
        cases("luhn", valid: ["4111111111111111", "79927398713", "0000000000000000"],
              invalid: ["4111111111111112", "79927398710", "1"])
        + cases("card",
                valid: ["4111111111111111", "4222222222222", "5500000000000004", "2221000000000009", "378282246310005",
                        "30569309025904", "6011111111111117", "3530111333300000", "6200000000000005", "4111 1111 1111 1111",
                        "36944548873121", "4949552355892320", "3571396464448831"],
                invalid: ["4111111111111112", "1234567812345670", "9111111111111111", "37828224631000",
                          "411111111111111", "5500000000000005", "0000000000000000"])
        + cases("iban",
                valid: ["GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000",
                        "FR1420041010050500013M02606", "NO9386011117947", "CH9300762011623852957", "gb82west12345698765432",
                        "GB22HQJN26551386350647", "GB20LOJD73608655057084", "GB32DMIT80604332549478"],
                invalid: ["GB82WEST12345698765433", "GB82WEST1234569876543", "XX82WEST12345698765432",
                          "DE89370400440532013001", "GB8AWEST12345698765432", "NO938601111794"])
        + cases("iban-format", valid: ["GB82 WEST 1234 5698 7654 33", "DE00 0000 0000 0000 0000 00"],
                invalid: ["GB82 WEST 1234 5698 7654 3", "ZZ82 WEST 1234 5698 7654 32"])
        + cases("us-ssn",
                valid: ["123-45-6789", "078-05-1120", "001-01-0001", "665-99-9999", "667-01-0001", "899-99-9999",
                        "900-70-1234", "912-50-1234", "999-99-9999", "950-65-0001", "970-88-1234", "980-90-1234", "990-94-1234"],
                invalid: ["000-12-3456", "666-12-3456", "123-00-4567", "123-45-0000", "900-12-3456", "912-66-1234",
                          "912-89-1234", "912-93-1234", "912-49-1234", "12345678", "1234567890"])
        + cases("nanp",
                valid: ["415-555-0132", "(212) 555-0199", "1-415-555-0132", "+1 416 555 0199", "2025550143"],
                invalid: ["155-555-0132", "415-155-0132", "415-055-0132", "415-211-0132", "911-555-0132", "555-010-4477",
                          "2-415-555-0132", "415-555-013"])
        + cases("phone-intl",
                valid: ["+44 20 7946 0958", "+1 555-013-9921", "+33 (0)2 72 36 53 08", "+49(0) 123924238", "+86 138 0013 8000",
                        "+7 (760) 305-39-35", "+91 227 0056787", "0044 20 7946 0958", "+1-277-254-8410x08157", "(+57)3120210481"],
                invalid: ["+999 1234 5678", "+1 234", "+44 20", "00 12", "+1 415 555 0132 4444 5555"])
        + cases("phone-national",
                valid: ["020 7946 0958", "(0118)4960140", "05 40 73 44 73", "8 (481) 398-0728", "21 1068-2762",
                        "03-1234-5678", "(06 1) 234 0842", "0221/1234567", "27 12 84 17", "321 2345", "06.12.34.56.78",
                        "(02).0809.5346", "(07).3853.0784",
                        // Counting, but by more than two, or from 0; zeros, but not all or six in a row.
                        "12 34 56 78", "01 02 03 04 05", "020 7000 0000", "05 00 00 00 01"],
                invalid: ["2024-11-02", "15.01.2024", "12/31/2024", "1 000 000", "0.1234 0.5678", "175.834164",
                          "978-3-16-148410-0", "1.2.3.4", "11.28.123", "86979/6908", "12 34", "123 4567 8901 2345",
                          // A calendar row, pages counted by twos, a list of ranges; a hex dump, null ids.
                          "17 18 19 20 21 22 23", "16 18 20 22 24", "103-104 106 108", "00 00 00 00 00",
                          "100644 0000000", "000000 1234567",
                          // Dots after a parenthesised group other than a trunk-prefixed area code; ZIP+4.
                          "(12).3456.7890", "1(02).0809.5346", "(02).0809 5346", "94105-1234", "02134-1234"])
        + cases("phone-bare",
                valid: ["13256867870", "01214960126", "0533691105", "14155550132", "4155550132", "89161234567",
                        "00442079460958"],
                invalid: ["1700000000", "1700000000123", "1234567890", "4811234567", "123456789", "9780306406157",
                          "0000000000", "00999123456789"])
        + cases("ipv4",
                valid: ["203.0.113.42", "192.168.0.1", "255.255.255.255", "10.234.248.202", "8.8.8.200"],
                invalid: ["10.4.22.1", "1.2.3.4", "256.1.1.1", "01.2.3.400", "1.2.3", "1.2.3.4.5"])
        + cases("ipv6",
                valid: ["2001:db8::8a2e:370:7334", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "fe80::1ff:fe23:4567:890a",
                        "::ffff:192.0.2.128", "2001:db8::1", "abcd:ef01::abcd"],
                invalid: ["::1", "1::2", "a::b", "12:30:45", "1:2:3:4:5:6:7", "2001::db8::1", "dead::beef"])
        + cases("mixed-base64", valid: ["MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0t"],
                invalid: ["e3b0c44298fc1c149afbf4c8996fb924", "E3B0C44298FC1C149AFBF4C8996FB924", "OnlyLettersHere"])
        + cases("base64-line",
                valid: ["MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", "b3BlbnNzaC1rZXktdjEAAAAA=="],
                invalid: ["MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gu",
                          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"])
        + cases("credential-token", valid: ["Bearer abcdef0123456789", "Basic dXNlcjpwYXNzd29yZA==", "Bearer abcdEFGHijkl"],
                invalid: ["Bearer authentication", "Basic Authentication", "Bearer short1"])

    @Test("validator cases", arguments: all)
    func validatorCase(_ c: Case) throws {
        let validator = try #require(Validators.all[c.validator], "validator \(c.validator) is registered")
        let result = Array(c.input.utf8).withUnsafeBytes { validator($0) }
        #expect(result == c.valid, "\(c)")
    }

    @Test("non-ASCII decimal digits count with their value")
    func unicodeDigits() {
        let fullWidth = Array("\u{FF14}\u{FF11}\u{FF11}\u{FF11}".utf8).withUnsafeBytes { Validators.digits(of: $0) }
        #expect(fullWidth == [4, 1, 1, 1])
        let arabicIndic = Array("\u{0665}-\u{0660}".utf8).withUnsafeBytes { Validators.digits(of: $0) }
        #expect(arabicIndic == [5, 0])
    }

    struct PhoneExample: Sendable, CustomStringConvertible {
        var region: String
        var type: String
        var e164: String
        var international: String
        var national: String
        var description: String { "\(region)/\(type)" }
    }

    /// libphonenumber's example numbers for every region (generated with the metadata).
    static let phoneExamples: [PhoneExample] = {
        guard let data = FileManager.default.contents(atPath: TestPaths.data + "/phone-examples.json"),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let rows = root["examples"] as? [[String: String]]
        else { return [] }
        return rows.map {
            PhoneExample(region: $0["region"] ?? "", type: $0["type"] ?? "", e164: $0["e164"] ?? "",
                         international: $0["international"] ?? "", national: $0["national"] ?? "")
        }
    }()

    /// The 30 most populous countries and the EU members: their national formats must be found too.
    static let focusRegions: Set<String> = [
        "IN", "CN", "US", "ID", "PK", "NG", "BR", "BD", "RU", "ET", "MX", "JP", "EG", "PH", "CD", "VN", "IR", "TR", "DE",
        "TH", "GB", "TZ", "FR", "ZA", "IT", "KE", "MM", "CO", "KR", "SD", "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE",
        "FI", "GR", "HU", "IE", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    ]

    @Test("each region's example numbers: metadata accepts them; the default set redacts every E.164 and international form")
    func phoneRegionExamples() throws {
        #expect(Self.phoneExamples.count > 400, "phone-examples.json loaded")
        let scrubber = Scrubber(patternSet: try TestSets.load("default"))
        for example in Self.phoneExamples {
            let digits = Array(example.e164.utf8.dropFirst()).withUnsafeBytes { Validators.digits(of: $0) }
            var accepted = false
            for ccLength in 1...3 where ccLength < digits.count {
                let cc = digits.prefix(ccLength).reduce(0) { $0 * 10 + Int($1) }
                if let entry = PhoneMetadata.entry(forCallingCode: cc), entry.accepts(digits.dropFirst(ccLength)) {
                    accepted = true
                }
            }
            #expect(accepted, "metadata accepts \(example) (E.164 example)")
            for text in [example.e164, example.international] {
                let leaked = scrubber.scrub("Call \(text) now").contains(text)
                #expect(!leaked, "\(example) international/E.164 form redacted")
            }
            if Self.focusRegions.contains(example.region) {
                let leaked = scrubber.scrub("Call \(example.national) now").contains(example.national)
                #expect(!leaked, "\(example) national form redacted")
            }
        }
    }

    @Test("the generated Swift table and the committed JSON table agree")
    func metadataMatchesJSON() throws {
        let data = try #require(FileManager.default.contents(atPath: TestPaths.patterns + "/data/phone-regions.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let codes = try #require(root["codes"] as? [[String: Any]])
        #expect(codes.count == PhoneMetadata.entries.count)
        for row in codes {
            let code = try #require(row["code"] as? Int)
            let entry = try #require(PhoneMetadata.entry(forCallingCode: code), "code \(code)")
            #expect(entry.lengths == (row["lengths"] as? [Int] ?? []).sorted(), "lengths of \(code)")
            #expect(entry.trunkPrefixes == (row["trunk"] as? [String] ?? []), "trunk of \(code)")
            // The valid 3-digit beginnings, read from the JSON's hex digit by digit (bit p is bit
            // p % 4 of the hex digit p / 4 places from the end).
            let hex = Array((row["prefixes"] as? String ?? "").utf8)
            let wrong = (0..<1000).filter { p in
                let at = hex.count - 1 - p / 4
                let digit = at < 0 ? 0 : Int(String(UnicodeScalar(hex[at])), radix: 16) ?? -1
                return entry.allowsPrefix(p) != (digit >> (p % 4) & 1 == 1)
            }
            #expect(wrong.isEmpty, "prefixes of \(code): \(wrong.count) wrong")
        }
        #expect((root["license"] as? String ?? "").contains("Apache"))
    }

    /// `text` with the IPv4 match marked `⟦…⟧`: the text without marks and the match's range.
    static func marked(_ text: String) -> (bytes: [UInt8], match: Range<Int>) {
        let bytes = Array(text.utf8)
        let open = Array("⟦".utf8), close = Array("⟧".utf8)
        let start = (0...(bytes.count - open.count)).first { Array(bytes[$0..<($0 + open.count)]) == open }!
        let end = (start...(bytes.count - close.count)).first { Array(bytes[$0..<($0 + close.count)]) == close }!
        let plain = Array(bytes[..<start] + bytes[(start + open.count)..<end] + bytes[(end + close.count)...])
        return (plain, start..<(end - open.count))
    }

    /// A context rule's answer for `bytes[match]` with a separator table built from `separators`.
    static func decide(_ rule: (UnsafeRawBufferPointer, Range<Int>, UnsafePointer<UInt8>) -> Bool,
                       _ bytes: [UInt8], _ match: Range<Int>, _ separators: Set<UInt8>) -> Bool {
        let table = (0..<256).map { separators.contains(UInt8($0)) ? UInt8(1) : 0 }
        return bytes.withUnsafeBytes { text in
            table.withUnsafeBufferPointer { rule(text, match, $0.baseAddress!) }
        }
    }

    static func inContext(_ bytes: [UInt8], _ match: Range<Int>, separators: Set<UInt8>) -> Bool {
        decide({ Validators.ipv4InContext($0, $1, separators: $2) }, bytes, match, separators)
    }

    @Test("ipv4: four octets below 32 are an address next to a port or after an address word, else a version")
    func ipv4Context() {
        let addresses = [
            "IP = ⟦10.14.0.11⟧ Merci", "remote_addr: ⟦8.8.4.4⟧", "REMOTE_ADDR=⟦8.8.4.4⟧", "clientIp ⟦1.2.3.4⟧",
            "IPアドレス:⟦4.2.2.2⟧", "x-forwarded-for: ⟦1.0.0.1⟧", "x_forwarded_for=⟦1.0.0.1⟧", "client IP - ⟦8.8.8.8⟧",
            #"\"remote_addr\": \"⟦8.8.8.8⟧"#, "IPv4 address: ⟦10.0.0.1⟧", "SRC=⟦10.1.2.3⟧ DST=", "nameserver ⟦9.9.9.9⟧",
            "⟦10.0.0.8⟧:443", "'⟦1.0.0.1⟧:8080'", "⟦1.0.0.1⟧:65535", "at ⟦1.0.0.1⟧:8080,", "ipAddress=⟦1.1.1.1⟧",
            "Accepted password for root from ⟦10.0.0.5⟧ port 22 ssh2", "⟦10.1.2.3⟧ - - [06/Dec/2026:10:00:00 +0000]",
            "source - ⟦8.8.8.8⟧", "destination=⟦10.0.0.2⟧",
        ]
        let versions = [
            "version ⟦10.4.22.1⟧", "build ⟦1.0.0.1⟧", "v⟦1.2.3.4⟧", "pip ⟦1.0.0.1⟧", "zip: ⟦1.2.3.4⟧", "ship ⟦1.2.3.4⟧",
            "for ⟦1.2.3.4⟧", "release ⟦4.0.0.0⟧", "⟦1.2.3.4⟧:99999", "⟦1.2.3.4⟧:80.5", "⟦1.2.3.4⟧:123456", "⟦1.2.3.4⟧:",
            "⟦1.2.3.4⟧:8:", "IP                 ⟦1.2.3.4⟧", "IP = ⟦203.0.113.42⟧", "IP = ⟦1.2.3.400⟧", "⟦1.2.3.4⟧",
            "the ip of build ⟦1.2.3.4⟧", "⟦1.2.3.4⟧ port", "⟦1.2.3.4⟧ portable 22", "⟦1.2.3.4⟧ port 123456",
            "⟦1.2.3.4⟧ - - x", "⟦1.2.3.4⟧ - [",
        ]
        for (i, text) in addresses.enumerated() {
            let (bytes, match) = Self.marked(text)
            #expect(Self.inContext(bytes, match, separators: []), "address #\(i)")
        }
        for (i, text) in versions.enumerated() {
            let (bytes, match) = Self.marked(text)
            #expect(!Self.inContext(bytes, match, separators: []), "version #\(i)")
        }
        // A separator ends what the rule reads: a port after a separator `:`, a word before `=`.
        let (port, portMatch) = Self.marked("⟦10.0.0.8⟧:443")
        #expect(!Self.inContext(port, portMatch, separators: [UInt8(ascii: ":")]))
        let (word, wordMatch) = Self.marked("ip=⟦10.0.0.8⟧")
        #expect(!Self.inContext(word, wordMatch, separators: [UInt8(ascii: "=")]))
    }

    static func phoneInContext(_ bytes: [UInt8], _ match: Range<Int>, separators: Set<UInt8>) -> Bool {
        decide({ Validators.phoneNationalInContext($0, $1, separators: $2) }, bytes, match, separators)
    }

    @Test("phone-national: a ZIP+4 shape with a leading 0 is a phone number unless a postal label or state is before it")
    func zipPlus4Context() {
        let zipCodes = [
            "zip=⟦07795-0337⟧", "ZIP: ⟦08530-5626⟧", #"{"zipcode": "⟦05685-5952⟧"}"#, "zip_code ⟦09388-2709⟧",
            "postalCode=⟦06972-9484⟧", "ZIP code: ⟦02134-1234⟧", "Postal code ⟦02134-1234⟧", "Newark, NJ ⟦07102-1234⟧",
            "PR ⟦00901-1234⟧", "shipping_zip4 ⟦02134-1234⟧", "postcode|⟦02134-1234⟧", "post_code: ⟦02134-1234⟧",
        ]
        let phones = [
            "call ⟦02134-1234⟧", "tel ⟦02134-1234⟧", "call me ⟦04412-5566⟧", "nj ⟦06612-7788⟧", "NJ: ⟦06612-7788⟧",
            "NJ  ⟦06612-7788⟧", "xNJ ⟦06612-7788⟧", "code ⟦05512-6677⟧", "zipper ⟦02134-1234⟧", "unzip ⟦02134-1234⟧",
            "error code ⟦02134-1234⟧", "⟦02134-1234⟧", "TX ⟦02134-1234⟧",
        ]
        for (i, text) in zipCodes.enumerated() {
            let (bytes, match) = Self.marked(text)
            #expect(!Self.phoneInContext(bytes, match, separators: []), "ZIP code #\(i)")
        }
        for (i, text) in phones.enumerated() {
            let (bytes, match) = Self.marked(text)
            #expect(Self.phoneInContext(bytes, match, separators: []), "phone #\(i)")
        }
        // Only the ZIP+4 shape with a leading 0 (not all zeros) is decided here.
        for text in ["call ⟦98101-2345⟧", "call ⟦00000-0000⟧", "call ⟦0213-41234⟧", "call ⟦02134 1234⟧"] {
            let (bytes, match) = Self.marked(text)
            #expect(!Self.phoneInContext(bytes, match, separators: []))
        }
        // A separator ends what the rule reads: the label after a separator `=`, a space.
        let (word, wordMatch) = Self.marked("zip=⟦07795-0337⟧")
        #expect(Self.phoneInContext(word, wordMatch, separators: [UInt8(ascii: "=")]))
        let (state, stateMatch) = Self.marked("NJ ⟦07102-1234⟧")
        #expect(Self.phoneInContext(state, stateMatch, separators: [UInt8(ascii: " ")]))
        let (code, codeMatch) = Self.marked("ZIP code ⟦07102-1234⟧")
        #expect(Self.phoneInContext(code, codeMatch, separators: [UInt8(ascii: " ")]))
    }

    @Test("ipv4 context: a text cut right after a separator decides as the whole text (streaming, parallel blocks)")
    func ipv4ContextCuts() {
        let pieces = ["IP", "ip", "Addr", "x_forwarded_for", "version", "v", "_", "-", " ", "=", ":", "\"", "'", ",", "\n",
                      "アドレス", "443", ":8080", ".", "5", "|", " port ", "22", " - - [", "["]
        Self.checkCuts(value: "10.0.0.8", pieces: pieces, seed: 46, decide: Self.inContext)
    }

    @Test("phone-national context: a text cut right after a separator decides as the whole text")
    func zipPlus4ContextCuts() {
        let pieces = ["zip", "ZIP", "Zip", "code", "Code", "postal", "post", "NJ", "TX", "x", "_", "-", " ", "=", ":",
                      "\"", "'", ",", "\n", "|", "5", "[", "郵便", "ZIP code:", "postal code=", "Newark, NJ "]
        Self.checkCuts(value: "07102-1234", pieces: pieces, seed: 47, decide: Self.phoneInContext)
    }

    @Test("base64-line context: a text cut right after a separator decides as the whole text")
    func base64LineContextCuts() {
        let pieces = ["\n", ",", "x", " ", "=", "-", "\\n-----END ", "\\r\\n-----END ", "-----END ", "\\n", "'", "|", "[",
                      "\\n-----", "END "]
        let rule: ([UInt8], Range<Int>, Set<UInt8>) -> Bool = {
            Self.decide({ Validators.base64LineInContext($0, $1, separators: $2) }, $0, $1, $2)
        }
        Self.checkCuts(value: "Kq3x9Vb7Lm2Np8Rt4Wy6Zc1Df5Gh0Jk3", pieces: pieces, seed: 48, decide: rule)
        // The escaped form after a full line (the rule reads it), which a cut may split too.
        Self.checkCuts(value: #"\nKq3x9Vb7Lm2Np8Rt4Wy6Zc1Df5Gh0Jk3"#, pieces: pieces, seed: 49, decide: rule,
                       before: "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5hkNDK1ixKOSjoAoGC/qGSM49")
    }

    /// Texts of random `pieces` around `value`, cut after each separator of several sets: a
    /// context rule (`decide`) must answer for the piece that holds the value as for the whole.
    /// `before`, when given, comes right before the value (after the random text).
    static func checkCuts(value: String, pieces: [String], seed: UInt64,
                          decide: ([UInt8], Range<Int>, Set<UInt8>) -> Bool, before fixed: String = "") {
        let separatorSets: [Set<UInt8>] = [
            Set(",\n'|".utf8), Set(",\n:= ".utf8), Set("\"-_".utf8), Set(" ".utf8), Set("[-".utf8), Set("/\n".utf8),
        ]
        var rng = SplitMix64(seed: seed)
        var decided = [0, 0]
        let valueBytes = Array(value.utf8)
        for round in 0..<2000 {
            let separators = separatorSets[round % separatorSets.count]
            func randomText() -> [UInt8] {
                (0..<Int.random(in: 0...6, using: &rng)).flatMap { _ in Array(pieces.randomElement(using: &rng)!.utf8) }
            }
            let before = randomText() + Array(fixed.utf8)
            let bytes = before + valueBytes + randomText()
            let match = before.count..<(before.count + valueBytes.count)
            let whole = decide(bytes, match, separators)
            decided[whole ? 1 : 0] += 1
            for cut in 1...bytes.count where separators.contains(bytes[cut - 1]) {
                if cut <= match.lowerBound {
                    let piece = Array(bytes[cut...])
                    let same = decide(piece, (match.lowerBound - cut)..<(match.upperBound - cut), separators) == whole
                    #expect(same, "round \(round): cut \(cut) before the match")
                } else if cut >= match.upperBound {
                    let same = decide(Array(bytes[..<cut]), match, separators) == whole
                    #expect(same, "round \(round): cut \(cut) after the match")
                }
            }
        }
        // Both answers occur, so the property is not met by a constant.
        #expect(decided[0] > 100 && decided[1] > 100, "\(decided)")
    }
}
