import PIIScrub
import PIIScrubTestSupport
import Testing

/// Deferred patterns (`PatternDefinition.deferred`): searched after the stage's other patterns,
/// only in the gaps between the spans those keep. The texts are made up (no PII); outputs are
/// compared as Bools with the case named, never printed.
@Suite("Deferred patterns")
struct DeferredPatternTests {
    /// `[A]` for a dashed 3-2-4 number (priority 1), `[B]` for digit groups (priority 2), deferred
    /// or not; with or without prefilter claims, so the windowed and the whole-text paths both run.
    static func set(deferred: Bool, prefiltered: Bool) throws -> PatternSet {
        try PatternSet(name: "t", definitions: [
            PatternDefinition(
                id: "dashed", regex: "\\d{3}-\\d{2}-\\d{4}", replacement: "[A]", priority: 1,
                prefilter: prefiltered ? PrefilterDefinition(trigger: "0-9", minTriggers: 9, span: "0-9\\-") : nil),
            PatternDefinition(
                id: "groups", regex: "\\d+(?: \\d+)*", replacement: "[B]", priority: 2,
                prefilter: prefiltered ? PrefilterDefinition(trigger: "0-9", minTriggers: 1, span: "0-9 ") : nil,
                deferred: deferred),
        ])
    }

    static let cases: [(text: String, everywhere: String, deferred: String)] = [
        // The digit groups' match from `6789` runs out of the kept span and hid `555`: deferred,
        // the gap after the span is searched; not deferred, what the loser leaves is (a remainder).
        ("id 123-45-6789 555", "id [A] [B]", "id [A] [B]"),
        // A match running into a kept span is dropped; what it leaves in the gap is searched
        // again (`1 2 3`), and the search goes on after the span.
        ("1 2 3 123-45-6789 4", "[B] [A] [B]", "[B] [A] [B]"),
        // Deferred, no match starts inside the kept span (`6789 12` would).
        ("123-45-6789 12", "[A] [B]", "[A] [B]"),
        // Without a kept span the two agree.
        ("12 34 and 56", "[B] and [B]", "[B] and [B]"),
        ("123-45-6789", "[A]", "[A]"),
    ]

    @Test("a deferred pattern starts no match inside a kept span", arguments: EngineConfiguration.all)
    func gapsOnly(_ configuration: EngineConfiguration) throws {
        for prefiltered in [false, true] {
            let everywhere = configuration.scrubber(try Self.set(deferred: false, prefiltered: prefiltered))
            let deferred = configuration.scrubber(try Self.set(deferred: true, prefiltered: prefiltered))
            for (k, c) in Self.cases.enumerated() {
                let asBefore = everywhere.scrub(c.text) == c.everywhere
                let asDeferred = deferred.scrub(c.text) == c.deferred
                #expect(asBefore, "case \(k), prefiltered \(prefiltered): not deferred")
                #expect(asDeferred, "case \(k), prefiltered \(prefiltered): deferred")
            }
        }
    }

    @Test("a gap shorter than the deferred pattern's shortest match is not searched", arguments: EngineConfiguration.all)
    func shortGapSkipped(_ configuration: EngineConfiguration) throws {
        // `b[a-z]+` (2 bytes at least) from the 1-byte gap `b` would run through the kept `aaa` to
        // the end and hide `bzb`.
        let set = try PatternSet(name: "t", definitions: [
            PatternDefinition(id: "as", regex: "a+", replacement: "[A]", priority: 1),
            PatternDefinition(id: "bs", regex: "b[a-z]+", replacement: "[B]", priority: 2, deferred: true),
        ])
        let same = configuration.scrubber(set).scrub("aabaaabzb") == "[A]b[A][B]"
        #expect(same)
    }

    @Test("invalid UTF-8 before a kept span hides no gap from a deferred pattern", arguments: EngineConfiguration.all)
    func invalidBytesBeforeKeptSpan(_ configuration: EngineConfiguration) throws {
        // The deferred search of the gap before `123` may start no match past it; PCRE2 10.42's
        // JIT stepped over the invalid bytes, reported `123 45` (dropped: it runs into the kept
        // span) and the search went on after it, so `45` was never searched.
        let set = try PatternSet(name: "t", definitions: [
            PatternDefinition(id: "three", regex: "\\d{3}", replacement: "[A]", priority: 1),
            PatternDefinition(id: "groups", regex: "\\d+(?: \\d+)*", replacement: "[B]", priority: 2, deferred: true),
        ])
        let same = configuration.scrubber(set).scrub([0x8F, 0x8F, 0x8F] + Array("123 45".utf8))
            == [0x8F, 0x8F, 0x8F] + Array("[A] [B]".utf8)
        #expect(same)
    }

    @Test("the default set's deferred phones after invalid UTF-8: the same with and without prefilters")
    func defaultSetAfterInvalidBytes() throws {
        // A `FuzzGate` input: two NANP-shaped numbers in Arabic-Indic digits with `680` between,
        // after NULs and invalid bytes. `phone-national` (deferred) searched the gap after the
        // first number from the text's start; its match from the first number's start ran past
        // `680`, so that was never searched (`[PHONE] 680 [PHONE]` against `[PHONE] [PHONE]`).
        let hex = "232698000000000000008f2c8f8f8fd9a5d9a5d9a52dd9a1d9a2d9a32dd9a4d9a5d9a6d9a7"
            + "203638302030d9a5d9a5d9a52dd9a1d9a2d9a32dd9a4d9a5d9a6d9d8"
        let bytes: [UInt8] = stride(from: 0, to: hex.count, by: 2).map { i in
            let at = hex.index(hex.startIndex, offsetBy: i)
            return UInt8(hex[at..<hex.index(at, offsetBy: 2)], radix: 16)!
        }
        let set = try TestSets.load("default")
        let outputs = EngineConfiguration.all.map { $0.scrubber(set).scrub(bytes) }
        let tokens = outputs.map { output in (0..<output.count).filter { output[$0...].starts(with: Array("[PHONE]".utf8)) }.count }
        #expect(Set(outputs).count == 1, "outputs of \(EngineConfiguration.all) differ")
        #expect(tokens == [2, 2, 2, 2], "tokens \(tokens)")
    }

    @Test("a deferred pattern's priority must be lower than its stage's other patterns'")
    func priorityChecked() {
        func load(_ priorities: (Int, Int), stages: (Int, Int) = (0, 0)) -> PIIScrubError.Code? {
            do {
                _ = try PatternSet(name: "t", definitions: [
                    PatternDefinition(id: "kept", regex: "a", replacement: "[A]", stage: stages.0, priority: priorities.0),
                    PatternDefinition(id: "late", regex: "b", replacement: "[B]", stage: stages.1, priority: priorities.1,
                                      deferred: true),
                ])
                return nil
            } catch {
                return error.code
            }
        }
        #expect(load((1, 2)) == nil)
        #expect(load((2, 2)) == .invalidPatternFile)
        #expect(load((3, 2)) == .invalidPatternFile)
        // Another stage's priorities do not count.
        #expect(load((3, 2), stages: (0, 1)) == nil)
    }

    @Test("a deferred pattern cannot use \\K")
    func resetMatchStartRefused() throws {
        func load(_ regex: String) -> PIIScrubError.Code? {
            do {
                _ = try PatternSet(name: "t", definitions: [
                    PatternDefinition(id: "kept", regex: "a", replacement: "[A]", priority: 1),
                    PatternDefinition(id: "late", regex: regex, replacement: "[B]", priority: 2, deferred: true),
                ])
                return nil
            } catch {
                return error.code
            }
        }
        #expect(load("b\\Kc") == .invalidPatternFile)
        #expect(load("b\\\\Kc") == nil)  // an escaped backslash, then a literal K
    }
}
