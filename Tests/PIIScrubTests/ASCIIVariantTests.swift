import PCRE2Wrapper
@testable import PIIScrub
import PIIScrubTestSupport
import Testing

/// The ASCII-class variant (`ASCIIVariant`) may stand in for a pattern only where it finds
/// exactly the same matches: inside windows of all-ASCII text with ASCII neighbours.
@Suite("ASCII-class pattern variants")
struct ASCIIVariantTests {
    @Test("patterns that can look without consuming, or commit, get no variant")
    func refusesUnsafeConstructs() {
        for fragment in ASCIIVariant.unsafeFragments {
            #expect(!ASCIIVariant.isExact("\\b\\d{3}" + fragment + "x)\\b"), "fragment \(fragment)")
            // Found by bytes: a combining mark after it makes one character with its last byte,
            // which a character comparison would not see.
            #expect(!ASCIIVariant.isExact("\\d{3}" + fragment + "\u{301}x)"), "fragment \(fragment) + U+0301")
        }
        #expect(ASCIIVariant.isExact("\\b\\d{3}-\\d{2}-\\d{4}\\b"))
        #expect(ASCIIVariant.isExact("(?<name>\\w+)@(?:x|y)"))
        #expect(!ASCIIVariant.isWorthCompiling("-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY-----"))
        #expect(ASCIIVariant.isWorthCompiling("[[:alpha:]]{3}"))
        // Found by review against PCRE2 10.42: each compiles differently with and without UCP
        // (caseless upper/lower, auto-possessification beside \R \p \P, possessive `+`
        // hidden behind a comment, an empty \Q\E or extended-mode space).
        for regex in ["(?i)\\b[[:upper:]]{2}\\d{6}\\b", "[[:^lower:]]\\d", "\\d\\R?\\s", "\\D?\\P{Lu}",
                      "\\d\\p{Nd}", "(?:\\d+-\\w)?(?#c)+\\d+", "\\d?\\Q\\E+\\d", "(?x)\\d? +\\d",
                      "(?ix:\\d? +)\\d", "(?xx)\\d"] {
            #expect(!ASCIIVariant.isExact(regex), "regex \(regex)")
        }
        #expect(!ASCIIVariant.setsExtendedMode("(?i)\\d(?<name>\\w)(?-i:x)"))
    }

    @Test("no variant for extended-mode patterns or caseless upper/lower classes")
    func noVariantForRefusedPatterns() throws {
        func set(_ regex: String, _ flags: [String]) throws -> PatternSet {
            try PatternSet(name: "t", definitions: [PatternDefinition(
                id: "doc", regex: regex, flags: flags, replacement: "[DOC]",
                prefilter: PrefilterDefinition(trigger: "0-9", minTriggers: 6, span: "A-Za-z0-9"),
                examples: .init(match: ["AB123456"], nomatch: ["x"]))])
        }
        let upper = try set("\\b[[:upper:]]{2}\\d{6}\\b", ["caseless"])
        #expect(upper.patterns[0].asciiVariant == nil)
        #expect(try set("\\b\\w{2} \\d{6}\\b", ["extended"]).patterns[0].asciiVariant == nil)
        // Under UCP, caseless [[:upper:]] is \p{Lu} and ignores case, so "ab" never matches:
        // not beside ASCII and not beside U+2014 either.
        let scrubber = Scrubber(patternSet: upper)
        for (k, input) in ["x ab123456 y", "x ab123456\u{2014} y", "x AB123456 y"].enumerated() {
            let scrubbed = scrubber.scrub(input) != input
            #expect(scrubbed == (k == 2), "case \(k)")
        }
    }

    @Test("every seed pattern has a variant")
    func seedPatternsHaveVariants() throws {
        let set = try PatternSet.load("seed")
        #expect(set.patterns.allSatisfy { $0.asciiVariant != nil })
    }

    /// Regexes whose classes UCP changes: the seed's, and one per affected construct.
    static let regexes: [(String, Bool)] = [
        ("\\b[A-Za-z0-9._%+\\-\\x{130}\\x{131}]+@[A-Za-z0-9.\\-\\x{130}\\x{131}]+\\.[A-Z\\x{130}\\x{131}]{2,}\\b", true),
        ("\\b\\d{3}[\\-.]?\\d{3}[\\-.]?\\d{4}\\b", false),
        ("\\b\\d{3}-\\d{2}-\\d{4}\\b", false),
        ("\\w+\\s\\w+", false),
        ("\\B\\d\\d\\B", false),
        ("[[:alpha:]][[:digit:]]+[[:punct:]]?", false),
        ("\\S+@\\S+", true),
        ("(\\w)\\1\\W\\D", false),
    ]

    static func allMatches(_ pattern: CompiledPattern, _ text: [UInt8], scratch: inout MatchScratch) throws -> [Range<Int>] {
        try text.withUnsafeBytes { buffer in
            var found: [Range<Int>] = []
            var at = 0
            while at <= buffer.count, let m = try pattern.firstMatch(in: buffer, from: at, scratch: &scratch) {
                found.append(m)
                at = m.isEmpty ? m.upperBound + 1 : m.upperBound
            }
            return found
        }
    }

    @Test("on all-ASCII text the variant matches exactly what the Unicode pattern matches", arguments: 0..<8)
    func sameMatchesOnASCII(_ k: Int) throws {
        let (regex, caseless) = Self.regexes[k]
        let unicode = try CompiledPattern(regex, options: CompileOptions(caseless: caseless))
        var options = CompileOptions(caseless: caseless)
        options.asciiClasses = true
        let ascii = try CompiledPattern(regex, options: options)
        var scratch = MatchScratch(maxCaptureCount: 4)
        let alphabet = Array("0123456789 .-@_aZkKsS%+\t\n,;:!x(".utf8)
        let digits = Array("01234567890123456789-.".utf8)
        var rng = SplitMix64(seed: 0xA5C11 &+ UInt64(k))
        var mismatches = 0
        var matched = 0
        for _ in 0..<3000 {
            let length = Int.random(in: 0...80, using: &rng)
            // Digit-heavy runs next to everything else, so the digit patterns match too.
            let text = (0..<length).map { _ in
                Int.random(in: 0..<3, using: &rng) > 0
                    ? digits[Int.random(in: 0..<digits.count, using: &rng)]
                    : alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
            }
            let expected = try Self.allMatches(unicode, text, scratch: &scratch)
            if try Self.allMatches(ascii, text, scratch: &scratch) != expected { mismatches += 1 }
            matched += expected.count
        }
        #expect(matched > 0)
        #expect(mismatches == 0)
    }

    /// The windows must be chosen right: next to a word character or digit outside ASCII the
    /// variant would answer differently (`\b`, `\d`), so those windows use the Unicode pattern.
    @Test("windows next to non-ASCII letters and digits keep Unicode semantics")
    func nonASCIINeighbours() throws {
        let scrubber = try Scrubber(patternSet: PatternSet.load("seed"))
        let cases: [(String, String)] = [
            ("中5551234567", "中5551234567"),
            ("5551234567中", "5551234567中"),
            ("\u{0663}555-123-4567", "\u{0663}555-123-4567"),
            ("555-123-4567\u{0663}", "555-123-4567\u{0663}"),
            ("é123-45-6789", "é123-45-6789"),
            ("x 555-123-4567 中", "x [PHONE] 中"),
            ("中 123-45-6789", "中 [SSN]"),
            ("ä.b@example.com", "ä[EMAIL]"),
            ("a@example.comé", "a@example.comé"),
        ]
        // Compared as a Bool: a failure names the case, never the text.
        for (k, (input, expected)) in cases.enumerated() {
            let same = scrubber.scrub(input) == expected
            #expect(same, "case \(k)")
        }
    }

    /// The default set's declared ASCII copies (``PatternDefinition/asciiRegex``) against their
    /// patterns, from every start offset of generated ASCII text: the patterns' own ASCII
    /// examples, cut and glued to characters their classes and lookaround test.
    @Test("declared ASCII copies find what their patterns find on ASCII text",
          arguments: ["email", "phone-intl", "phone-nanp", "phone-national", "phone-bare", "us-ssn", "payment-card",
                      "payment-card-bare", "ipv4"])
    func declaredCopiesOnASCII(_ id: String) throws {
        let set = try TestSets.load("default")
        let pattern = try #require(set.patterns.first { $0.id == id })
        #expect(pattern.definition.asciiRegex != nil)
        let copy = try #require(pattern.asciiVariant)
        var atoms = ((pattern.definition.examples?.match ?? []) + (pattern.definition.examples?.nomatch ?? []))
            .map { Array($0.utf8) }.filter { $0.allSatisfy { $0 < 0x80 } }
        atoms += ["order ", "ORDER #", "Ticket #", "invoice no. ", "= ", "ext. ", "x", "+1 ", "00", "(+", "a.b@",
                  "@example.com", ".org", "xn--", "192.168.", "255.", ".0"].map { Array($0.utf8) }
        // Runs at and past the patterns' caps: a DNS label's 63 letters (the email TLD's script-run
        // branch took 63 Latin letters of a longer run, the copy none), digit groups of 10.
        atoms += [61, 62, 63, 64, 70].map { Array(String(repeating: "p", count: $0).utf8) }
        atoms += [9, 10, 11, 21, 70].map { Array(String(repeating: "7", count: $0).utf8) }
        let glue = Array("0123456789 .-/()+#$_:@%xXeEtT=aZkKsS,;\t\"".utf8)
        var rng = SplitMix64(seed: 0xA5C1_7000 &+ UInt64(id.utf8.count))
        var scratch = MatchScratch(maxCaptureCount: 8)
        var mismatches = 0
        var matched = 0
        for _ in 0..<1500 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                var atom = atoms[Int.random(in: 0..<atoms.count, using: &rng)]
                if Bool.random(using: &rng) { atom = Array(atom.prefix(Int.random(in: 0...atom.count, using: &rng))) }
                text += atom
                for _ in 0..<Int.random(in: 0...2, using: &rng) { text.append(glue.randomElement(using: &rng)!) }
            }
            try text.withUnsafeBytes { buffer in
                for start in 0...buffer.count {
                    let expected = try pattern.compiled.firstMatch(in: buffer, from: start, scratch: &scratch)
                    if try copy.firstMatch(in: buffer, from: start, scratch: &scratch) != expected { mismatches += 1 }
                    if start == 0 && expected != nil { matched += 1 }
                }
            }
        }
        #expect(matched > 50, "\(id): \(matched) texts with a match")
        #expect(mismatches == 0, "\(id): \(mismatches) start offsets differ")
    }

    /// `phone-bare`'s lookbehind names labels (`serial`, `ticket`...) whose letters may be
    /// written as U+017F or U+212A several characters before a window the copy searches: its
    /// caseless literal must fold them as the Unicode pattern does.
    @Test("a label spelt with U+017F or U+212A excludes a number for the copy too")
    func foldedLabels() throws {
        let set = try TestSets.load("default")
        let pattern = try #require(set.patterns.first { $0.id == "phone-bare" })
        let copy = try #require(pattern.asciiVariant)
        var scratch = MatchScratch(maxCaptureCount: 8)
        for label in ["\u{017F}erial ", "tic\u{212A}et ", "ca\u{017F}e #",
                      "boo\u{212A}ing ", "I\u{017F}BN "] {
            let text = Array((label + "4155550132").utf8)
            let start = text.count - 10
            try text.withUnsafeBytes { buffer in
                let expected = try pattern.compiled.firstMatch(in: buffer, from: start, scratch: &scratch)
                #expect(expected == nil, "the label excludes the number")
                #expect(try copy.firstMatch(in: buffer, from: start, scratch: &scratch) == expected)
            }
        }
        // Through the engine, the window (" 4155550132") has ASCII context: the copy searches it.
        let scrubber = Scrubber(patternSet: set)
        let input = "\u{017F}erial 4155550132 and 4155550132"
        let kept = scrubber.scrub(input) == "\u{017F}erial 4155550132 and [PHONE]"
        #expect(kept)
    }

    @Test("asciiRegex must be ASCII, without \\p, in a Unicode pattern")
    func asciiRegexIsChecked() {
        func load(_ twin: String, flags: [String]? = nil) -> PIIScrubError.Code? {
            do {
                _ = try PatternSet(name: "t", definitions: [PatternDefinition(
                    id: "doc", regex: "\\d{6}", flags: flags, replacement: "[DOC]",
                    prefilter: PrefilterDefinition(trigger: "0-9", minTriggers: 6, span: "0-9"),
                    examples: .init(match: ["123456"], nomatch: ["x"]), asciiRegex: twin)])
                return nil
            } catch {
                return error.code
            }
        }
        #expect(load("[0-9]{6}") == nil)
        #expect(load("\\p{Nd}{6}") == .invalidPatternFile)
        #expect(load("[0-9]{5}\\p{Nd}") == .invalidPatternFile)
        #expect(load("[0-9]{5}\\P{L}") == .invalidPatternFile)
        #expect(load("[0-9٠]{6}") == .invalidPatternFile)
        #expect(load("[0-9]{6}", flags: ["ascii"]) == .invalidPatternFile)
        #expect(load("[0-9{6}") == .invalidPattern)
    }

    /// Where the engine uses the declared copies: windows with two ASCII bytes on each side.
    /// The default set's ASCII match examples with a non-ASCII character zero to three ASCII
    /// characters away on either side give the same output with the prefilter (and the copies)
    /// on as PCRE2 searching every byte with the Unicode patterns.
    @Test("non-ASCII characters beside and near numbers: prefilter and copies on equals PCRE2 alone")
    func nonASCIINearWindows() throws {
        let set = try TestSets.load("default")
        let fast = EngineConfiguration(jit: true, prefilter: true).scrubber(set)
        let exhaustive = EngineConfiguration(jit: true, prefilter: false).scrubber(set)
        let values = set.patterns.filter { $0.definition.asciiRegex != nil }
            .flatMap { $0.definition.examples?.match ?? [] }.filter { $0.utf8.allSatisfy { $0 < 0x80 } }
        #expect(values.count > 30)
        let near = ["é", "中", "\u{0663}", "\u{212A}", "\u{017F}", "\u{00A0}", "\u{FF15}", "\u{0301}"]
        let fillers = [" ", "x", "-", ".", "a", "Z", "_", "#", "7", "(", "@"]
        var rng = SplitMix64(seed: 0xA5C1_7EA2)
        var differences = 0
        var changed = 0
        for value in values {
            for _ in 0..<24 {
                func side() -> String {
                    let filler = (0..<Int.random(in: 0...3, using: &rng)).map { _ in fillers.randomElement(using: &rng)! }
                    return near.randomElement(using: &rng)! + filler.joined()
                }
                let text = side() + value + String(side().reversed())
                let out = fast.scrub(text)
                if out != text { changed += 1 }
                if out != exhaustive.scrub(text) { differences += 1 }
            }
        }
        #expect(changed > values.count * 4)
        #expect(differences == 0)
    }
}
