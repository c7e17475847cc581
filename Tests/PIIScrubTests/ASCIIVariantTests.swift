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
}
