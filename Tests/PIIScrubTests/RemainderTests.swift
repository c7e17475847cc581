import PIIScrub
import PIIScrubTestSupport
import Testing

/// What a losing candidate leaves beside the span that beat it is searched again for its pattern,
/// as a second pass over the output would see it. The texts are made up (no PII); outputs are
/// compared as Bools with the case named, never printed.
@Suite("Remainders of losing candidates")
struct RemainderTests {
    /// `[A]` for `dddd::d` (an IPv6-like tail, priority 1); `[B]` for a dashed number after `+`
    /// (priority 2); `[C]` for `Bearer` and a token (priority 3); `[D]` for the token (priority 1).
    static func set() throws -> PatternSet {
        try PatternSet(name: "t", definitions: [
            PatternDefinition(id: "tail", regex: "\\d{4}::\\d", replacement: "[A]", priority: 1),
            PatternDefinition(id: "dashed", regex: "\\+\\d(?:-\\d{3,4}){2,3}(?!\\d)", replacement: "[B]", priority: 2),
            PatternDefinition(id: "bearer", regex: "Bearer [a-z]{6,}", replacement: "[C]", priority: 3),
            PatternDefinition(id: "token", regex: "tok[a-z]{3,}", replacement: "[D]", priority: 1),
        ])
    }

    static let cases: [(text: String, scrubbed: String)] = [
        // `+1-555-123-4567` loses to `4567::9`; `+1-555-123` before the `[A]` is a match again.
        ("call +1-555-123-4567::9 now", "call [B]-[A] now"),
        // What is left (`+1-5555-`, one group) is no match: it stays.
        ("call +1-5555-4567::9 now", "call +1-5555-[A] now"),
        // `Bearer ` alone is no match of its pattern: the label stays.
        ("auth Bearer tokabcdef ok", "auth Bearer [D] ok"),
        // No overlap, nothing changes.
        ("call +1-555-123-4567 and 4567::9", "call [B] and [A]"),
    ]

    @Test("a remainder is redacted where it is a match again, and only there", arguments: EngineConfiguration.all)
    func remaindersSearched(_ configuration: EngineConfiguration) throws {
        let scrubber = configuration.scrubber(try Self.set())
        for (k, c) in Self.cases.enumerated() {
            let once = scrubber.scrub(c.text)
            let asExpected = once == c.scrubbed
            let idempotent = scrubber.scrub(once) == once
            #expect(asExpected, "case \(k)")
            #expect(idempotent, "case \(k): a second pass changes the output")
        }
    }

    @Test("the default set leaves no digits of a phone number that lost to an address beside it")
    func defaultSetPhoneBesideIPv6() throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("default"))
        let once = scrubber.scrub("call +1-555-123-4567::9 now")
        let noDigits = !once.contains { $0.isNumber }
        #expect(noDigits)
        let idempotent = scrubber.scrub(once) == once
        #expect(idempotent)
        // Findings name the remainder's match by its pattern, in text order.
        let findings = scrubber.findings(in: "call +1-555-123-4567::9 now")
        #expect(findings.map(\.range.lowerBound) == findings.map(\.range.lowerBound).sorted() && findings.count == 2)
    }
}
