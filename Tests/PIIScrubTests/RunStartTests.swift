import CPIIScan
@testable import PIIScrub
import PIIScrubTestSupport
import Testing

/// The `runStart` claim (`PrefilterDefinition.runStart`): the window check
/// (`CPIIScan_hasRunStart`) against a reference written from the definition, the load checks, and
/// the engine with the claim (window check and block gate) finding what PCRE2 alone finds. A
/// window the check wrongly refused, or a block the gate wrongly left unmarked, would be a leak.
@Suite("Run-start claim")
struct RunStartTests {
    /// A vendor-key-like pattern whose matches start after a byte outside its span with `sk-`,
    /// `sk_` or `ghp`.
    static let keyRegex = "(?<![A-Za-z0-9_\\-])(?:sk[_\\-]|ghp_)[A-Za-z0-9]{10,}(?![A-Za-z0-9_\\-])"

    static func keySet(runStart: [[String]]? = [["s", "k", "_\\-"], ["g", "h", "p"]], span: String = "A-Za-z0-9_\\-",
                       spanUnicode: String? = nil, flags: [String]? = nil, regex: String = keyRegex,
                       examples: [String] = ["sk-abcdefgh1234", "ghp_abcdefghij1234"]) throws -> PatternSet {
        try PatternSet(name: "t", definitions: [PatternDefinition(
            id: "key", regex: regex, flags: flags,
            replacement: "[KEY]",
            prefilter: PrefilterDefinition(trigger: "_\\-", span: span, spanUnicode: spanUnicode, runStart: runStart),
            examples: .init(match: examples))])
    }

    /// `CPIIScan_hasRunStart` by the definition in `CPIIScan.h`.
    static func reference(_ p: [UInt8], _ lo: Int, _ hi: Int, span: Set<UInt8>, prefixes: [[Set<UInt8>]]) -> Bool {
        guard hi - lo >= 3 else { return false }
        return (lo...hi - 3).contains { i in
            (i == 0 || !span.contains(p[i - 1])) && prefixes.contains { prefix in (0..<3).allSatisfy { prefix[$0].contains(p[i + $0]) } }
        }
    }

    @Test("the window check equals the definition on generated text")
    func checkEqualsDefinition() throws {
        let set = try Self.keySet()
        let index = 0
        let claim = try #require(set.engine.runStart[index])
        let span = try parseASCIIClass("A-Za-z0-9_\\-", patternID: "t", field: "span")
        let prefixes = try [["s", "k", "_\\-"], ["g", "h", "p"]].map { prefix in
            try prefix.map { try parseASCIIClass($0, patternID: "t", field: "runStart") }
        }
        var rng = SplitMix64(seed: 0x5A_57A7)
        // Prefixes, their bytes alone, span and other bytes, non-ASCII bytes (0xF3: `s` with the
        // top bit).
        let pieces = ["sk-", "sk_", "ghp", "gh", "s", "k", "g", "h", "p", "_", "-", "x", " ", "=", ".", "é", "\u{80}"]
            .map { Array($0.utf8) } + [[0xF3]]
        var held = 0, rounds = 0
        for round in 0..<20000 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 0...16, using: &rng) { text += pieces.randomElement(using: &rng)! }
            let lo = Int.random(in: 0...text.count, using: &rng), hi = Int.random(in: lo...text.count, using: &rng)
            let expected = Self.reference(text, lo, hi, span: span, prefixes: prefixes)
            let found = text.withUnsafeBufferPointer { CPIIScan_hasRunStart($0.baseAddress, lo, hi, claim) != 0 }
            #expect(found == expected, "round \(round): \(text.count) bytes, window \(lo)..<\(hi)")
            held += expected ? 1 : 0
            rounds += 1
        }
        #expect(held > rounds / 20 && held < rounds * 9 / 10)
    }

    @Test("claims are checked when a set is loaded")
    func loadCheck() {
        func load(_ body: () throws -> PatternSet) -> PIIScrubError.Code? {
            do {
                _ = try body()
                return nil
            } catch let error as PIIScrubError {
                return error.code
            } catch {
                return nil
            }
        }
        #expect(load { try Self.keySet() } == nil)
        // Two classes, an empty one, a byte outside the span, nine prefixes, none.
        #expect(load { try Self.keySet(runStart: [["s", "k"]]) } == .invalidPatternFile)
        #expect(load { try Self.keySet(runStart: [["s", "k", "_\\-"], ["g", "h", ""]]) } == .invalidPatternFile)
        #expect(load { try Self.keySet(runStart: [["s", "k", "="]]) } == .invalidPatternFile)
        #expect(load { try Self.keySet(runStart: Array(repeating: ["s", "k", "_"], count: 9)) } == .invalidPatternFile)
        #expect(load { try Self.keySet(runStart: []) } == .invalidPatternFile)
        // A Unicode span (windows could start inside a run), a caseless pattern with letters.
        #expect(load { try Self.keySet(spanUnicode: "any") } == .invalidPatternFile)
        #expect(load { try Self.keySet(flags: ["caseless"]) } == .invalidPatternFile)
        // An example that starts with no prefix.
        #expect(load { try Self.keySet(runStart: [["s", "k", "_\\-"]]) } == .prefilterMismatch)
        // The regex must say that a match starts after a byte outside the span: no lookbehind, one
        // without `_` and `-`, one with a class escape, one for the first branch only.
        #expect(load { try Self.keySet(regex: "(?:sk[_\\-]|ghp_)[A-Za-z0-9]{10,}") } == .invalidPatternFile)
        #expect(load { try Self.keySet(regex: "(?<![A-Za-z0-9])(?:sk[_\\-]|ghp_)[A-Za-z0-9]{10,}") } == .invalidPatternFile)
        #expect(load { try Self.keySet(regex: "(?<![\\w\\-])(?:sk[_\\-]|ghp_)[A-Za-z0-9]{10,}") } == .invalidPatternFile)
        #expect(load { try Self.keySet(regex: "(?<![A-Za-z0-9_\\-])sk[_\\-][A-Za-z0-9]{10,}|ghp_[A-Za-z0-9]{10,}") }
            == .invalidPatternFile)
        // A wider class, and `|` inside groups and classes, are fine.
        #expect(load { try Self.keySet(regex: "(?<![A-Za-z0-9_.\\-])(?:sk[_|\\-]|ghp_)[A-Za-z0-9]{10,}") } == nil)
    }

    /// Keys, near misses (a span byte before, a prefix that is not one, too short), prose with
    /// hyphens and `snake_case`, non-ASCII bytes, so runs start on every offset of the gate's blocks.
    static func text(length: Int, using rng: inout SplitMix64) -> [UInt8] {
        let atoms = [
            "sk-abcdefgh1234", "sk_ABCDEFGHIJ99", "ghp_abcdefghij1234", "xsk-abcdefgh1234", "sk=abcdefgh1234",
            "ghq_abcdefghij1234", "sk-abc", "well-known", "pg_stat_activity_and_more_words", "-----------------------",
            "é", "\u{0130}", " ", " ", "\n", ",", "_", "-", "sk-", "ghp_", "abcdefghijklmnopqrstuvwxyz0123456789",
        ].map { Array($0.utf8) }
        var bytes: [UInt8] = []
        while bytes.count < length { bytes += atoms[Int.random(in: 0..<atoms.count, using: &rng)] }
        return bytes
    }

    @Test("the engine with the claim finds what PCRE2 alone finds, gated and not, and searches less")
    func engineEqualsPCRE2() throws {
        let claimed = try Self.keySet()
        let unclaimed = try Self.keySet(runStart: nil)
        // The claim's group is gated by its starts.
        let gate = try #require(claimed.engine.stages[0].gate).pointee
        #expect(withUnsafeBytes(of: gate.runStartBits) { $0[0] } == 0b11)
        let exhaustive = EngineConfiguration(jit: true, prefilter: false).scrubber(claimed)
        let fast = EngineConfiguration(jit: true, prefilter: true).scrubber(claimed)
        let plain = EngineConfiguration(jit: true, prefilter: true).scrubber(unclaimed)
        let fastWorker = fast.makeWorker(), plainWorker = plain.makeWorker()
        var rng = SplitMix64(seed: 0x5A_57A8)
        var differences = 0, firstRound = -1, changed = 0
        for round in 0..<400 {
            // Short texts (no gate) and long ones (gated: 512 bytes and more).
            let text = Self.text(length: round % 2 == 0 ? Int.random(in: 1...200, using: &rng) : Int.random(in: 512...3000, using: &rng),
                                 using: &rng)
            let expected = exhaustive.scrub(text)
            var a: [UInt8] = [], b: [UInt8] = []
            text.withUnsafeBytes { _ = fastWorker.scrub($0, appendingTo: &a) }
            text.withUnsafeBytes { _ = plainWorker.scrub($0, appendingTo: &b) }
            if a != expected || b != expected {
                differences += 1
                if firstRound < 0 { firstRound = round }
            }
            if expected != text { changed += 1 }
        }
        // Rounds and counts only: reproduce with the seed and the round number.
        #expect(differences == 0, "\(differences) texts differ, first in round \(firstRound)")
        #expect(changed > 150)
        // The near misses' windows are not searched with the claim.
        #expect(fastWorker.searches(forPatternAt: 0) * 2 < plainWorker.searches(forPatternAt: 0),
                "\(fastWorker.searches(forPatternAt: 0)) against \(plainWorker.searches(forPatternAt: 0)) searches")
    }
}
