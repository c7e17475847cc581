import Foundation
import PIIScrub
import PCRE2Wrapper
import PIIScrubTestSupport
import Testing

/// Untrusted input against every shipped pattern: runaway matching is bounded by the PCRE2 match
/// limit, and hitting any limit fails closed.
@Suite("ReDoS bounds and fail-closed limits")
struct ReDoSTests {
    static func shippedSets() throws -> [PatternSet] {
        try FileManager.default.contentsOfDirectory(atPath: TestPaths.patterns).filter { $0.hasSuffix(".json") }.sorted()
            .map { try PatternSet.load(path: TestPaths.patterns + "/" + $0) }
    }

    /// Near-miss units: each example match with its last character dropped, plus generic shapes
    /// that keep a backtracking engine busy (`a.` runs before an `@`, digit/separator runs).
    static func nearMisses(_ pattern: Pattern) -> [[UInt8]] {
        var units: [[UInt8]] = (pattern.definition.examples?.match ?? []).map { Array($0.utf8.dropLast()) }
        units += [Array("a.".utf8), Array("1-".utf8), Array("a@".utf8), Array("9.".utf8), Array("555-123-456".utf8)]
        return units.filter { !$0.isEmpty }
    }

    @Test("shipped patterns have no lint errors (nested unbounded quantifiers)")
    func lint() throws {
        for set in try Self.shippedSets() {
            let errors = set.lint().filter { $0.severity == .error }
            #expect(errors.isEmpty, "\(set.name): \(errors)")
        }
    }

    @Test("1 MiB lines of near-misses finish under the match limit for every shipped pattern")
    func oneMiBLines() throws {
        for set in try Self.shippedSets() {
            for pattern in set.patterns {
                var single = pattern.definition
                single.stage = 0
                let scrubber = Scrubber(patternSet: try PatternSet(name: pattern.id, definitions: [single]))
                let worker = scrubber.makeWorker()
                for unit in Self.nearMisses(pattern) {
                    var line: [UInt8] = []
                    line.reserveCapacity(1 << 20)
                    while line.count < 1 << 20 { line += unit }
                    let outcome = line.withUnsafeBytes { worker.withScrubbed($0) { _, outcome in outcome } }
                    #expect(!outcome.failed, "\(set.name)/\(pattern.id): hit a PCRE2 limit on a 1 MiB near-miss line")
                }
            }
        }
    }

    /// Runs of one unit (digits, digits and separators, letters, `@`, escapes...) after the
    /// openers patterns look for (`+`, `00`, labels, key prefixes), cut at a few lengths and
    /// followed by a byte that refuses or extends a match. A bounded repeat of a group whose
    /// separator is optional (`(?:[ .-]?\d{1,10}){1,6}`) has as many ways to split a digit run
    /// as the run has compositions: `phone-intl` reached the match limit on 70 zeros after `00`
    /// (~17 ms a search, and the whole field redacted) until its digit groups became possessive.
    /// Every pattern searches every byte here, under a hundredth of the production match limit,
    /// so a pattern that comes near the limit fails the test before it fails in production.
    @Test("runs after the patterns' openers stay under a hundredth of the match limit")
    func runsAfterOpeners() throws {
        let openers = [
            "", "+", "00", "(+", "+(", "+1 ", "SSN ", "tel: ", "IP ", "Bearer ", "Basic ", "sk-", "-----BEGIN ", "eyJ",
            "mailto:", "a@", "x", "@", "card ", "IBAN ", "GB82", "\"", "key=", "https://", "::", "fe80:",
        ]
        let units = [
            "0", "0 ", "0-", "0.", "0:", "a", "a.", "a-", "A", "A0", "0a", "=", "ab12", "a@", "%40", "\\n", " ", "00 ",
            "0 0", "1.", "a:", "A-", "0/", "0)", "(0", "a+", "\\u0040", "a_", "0.0", "0-0", "a.b", "aa@", "a@a.",
            "A1", "+0", "(0)", "0)-", "Aa", "0x", "x0", "ext 0", "a b", "a=", "Aa0", "0a:", "-", ".",
        ]
        for set in try Self.shippedSets() {
            var configuration = Scrubber.Configuration(prefilter: false)
            configuration.limits.matchLimit = MatchLimits().matchLimit / 100
            let worker = Scrubber(patternSet: set, configuration: configuration).makeWorker()
            var texts = 0, failed = 0, firstFailure = ""
            for opener in openers {
                for unit in units {
                    for length in [80, 1000] {
                        for end in ["", "N", "."] {
                            var text = Array(opener.utf8)
                            while text.count < length { text += Array(unit.utf8) }
                            text += Array(end.utf8)
                            texts += 1
                            if text.withUnsafeBytes({ worker.withScrubbed($0) { _, outcome in outcome } }).failed {
                                failed += 1
                                // Generated shapes only (no user data): the opener, the unit, the length.
                                if firstFailure.isEmpty {
                                    firstFailure = "\(escaped(Array(opener.utf8))) + \(escaped(Array(unit.utf8))) x \(length)"
                                }
                            }
                        }
                    }
                }
            }
            #expect(texts == openers.count * units.count * 6)
            #expect(failed == 0, "\(set.name): \(failed) of \(texts) runs hit the limit, first: \(firstFailure)")
        }
    }

    @Test("a 10 MiB line of email and digit near-misses scrubs without failure")
    func tenMiBLine() throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("seed"))
        var line: [UInt8] = []
        let unit = Array("a.b-c@d 555-12-345.".utf8)
        line.reserveCapacity(10 << 20)
        while line.count < 10 << 20 { line += unit }
        let worker = scrubber.makeWorker()
        let outcome = line.withUnsafeBytes { worker.withScrubbed($0) { _, outcome in outcome } }
        #expect(!outcome.failed)
    }

    @Test("a catastrophic user pattern hits the match limit and fails closed: redacted, counted, never passed through")
    func catastrophicPatternFailsClosed() throws {
        let definition = PatternDefinition(id: "evil", regex: "(?:a+)+b", replacement: "[X]",
                                           examples: .init(match: ["ab"], nomatch: ["c"]))
        let set = try PatternSet(name: "evil", definitions: [definition])
        #expect(set.lint().contains { $0.severity == .error }, "lint flags the nested quantifier")
        for configuration in EngineConfiguration.all {
            var config = Scrubber.Configuration(jit: configuration.jit, prefilter: configuration.prefilter)
            config.limits.matchLimit = 100_000
            let scrubber = Scrubber(patternSet: set, configuration: config)
            let worker = scrubber.makeWorker()
            // The trailing "b" defeats PCRE2's required-character shortcut, so backtracking explodes.
            let input = Array(("secret-value " + String(repeating: "a", count: 40) + "c b").utf8)
            let output = input.withUnsafeBytes { raw in worker.withScrubbed(raw) { out, _ in Array(out) } }
            let isMarker = output == Array("[REDACTED:SCRUB-ERROR]".utf8)
            #expect(isMarker, "\(configuration): output is the failure marker")
            #expect(worker.failureCount == 1, "\(configuration)")
        }
    }

    @Test("in a block, only the lines that hit the limit are redacted; the others are scrubbed normally")
    func blockFallbackRedactsOnlyFailingLines() throws {
        let scrubber = try TestSets.withCatastrophicPattern()
        let worker = scrubber.makeWorker()
        let bad = String(repeating: "a", count: 40) + "cb"
        let block = Array("one x@y.io\n\(bad)\nthree z@w.io\n".utf8)
        let output = block.withUnsafeBytes { raw in worker.withScrubbedBlock(raw) { out, _ in String(decoding: out, as: UTF8.self) } }
        #expect(output == "one [EMAIL]\n[REDACTED:SCRUB-ERROR]\nthree [EMAIL]\n")
        #expect(worker.failureCount == 1)
    }

    @Test("a user pattern that can match the empty string is refused at load")
    func emptyMatchRefused() {
        let definition = PatternDefinition(id: "empty", regex: "x*", replacement: "[X]")
        #expect(throws: PIIScrubError.self) { try PatternSet(name: "t", definitions: [definition]) }
    }
}
