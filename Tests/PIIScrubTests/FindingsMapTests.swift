@testable import PIIScrub
import PIIScrubTestSupport
import Testing

/// Findings map a later stage's matches back through the earlier stages' replacements. The
/// engine does it in one walk per stage (``Scrubber/MapCursor``); this holds it to the direct
/// definition (each offset mapped through every earlier span from the start) on texts where
/// matches of both seed stages sit next to each other, touch and nest around tokens.
@Suite("Findings in input coordinates")
struct FindingsMapTests {
    /// The direct mapping: for each earlier span in order, an offset inside its token maps to
    /// the span's start (lower bound) or end (upper bound); past it, the offset shifts back by
    /// the token's growth.
    static func mapBack(_ x: Int, spans: [Span], lengths: [Int], replacements: [[UInt8]], isUpper: Bool) -> Int {
        var delta = 0
        for (i, span) in spans.enumerated() {
            let tokenLength = lengths.count == spans.count ? lengths[i] : replacements[span.pattern].count
            let outStart = span.start + delta
            let outEnd = outStart + tokenLength
            if x < outStart || (x == outStart && !isUpper) { break }
            if x < outEnd || (x == outEnd && isUpper) { return isUpper ? span.end : span.start }
            delta += tokenLength - (span.end - span.start)
        }
        return x - delta
    }

    static func expectedFindings(_ worker: ScrubWorker) -> [Finding] {
        let state = worker.state
        let set = worker.scrubber.patternSet
        var findings: [Finding] = []
        for s in 0..<state.lastStagesRun {
            for span in state.stageSpans[s] {
                var lower = span.start
                var upper = span.end
                for k in stride(from: s - 1, through: 0, by: -1) {
                    lower = mapBack(lower, spans: state.stageSpans[k], lengths: state.stageTokenLengths[k],
                                    replacements: set.replacementByIndex, isUpper: false)
                    upper = mapBack(upper, spans: state.stageSpans[k], lengths: state.stageTokenLengths[k],
                                    replacements: set.replacementByIndex, isUpper: true)
                }
                findings.append(Finding(patternID: set.patterns[span.pattern].id, range: lower..<upper))
            }
        }
        findings.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        return findings
    }

    @Test("one walk per stage gives the direct mapping", arguments: [false, true])
    func cursorEqualsDirect(numbered: Bool) throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("seed"),
                                configuration: .init(operatorOverride: numbered ? .numbered : nil))
        let worker = scrubber.makeWorker()
        let atoms = ["a@b.io", "x.y@example.org", "555-123-4567", "5551234567", "123-45-6789", "1", "-", ".", "@",
                     " ", "x", "\n", "é", "中", "٣", "555", "-4567", "e@f.co5"]
        var rng = SplitMix64(seed: 0xF1_4D_5)
        var mismatches = 0
        var first = ""
        var total = 0
        for round in 0..<3000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...(round % 20 == 0 ? 400 : 40), using: &rng) {
                text += atoms[Int.random(in: 0..<atoms.count, using: &rng)]
            }
            _ = worker.scrub(text)
            let actual = worker.lastFindings()
            total += actual.count
            if actual != Self.expectedFindings(worker) {
                mismatches += 1
                if first.isEmpty { first = "round \(round): \(escaped(Array(text.utf8)))" }
            }
        }
        #expect(total > 5_000, "too few matches to exercise the mapping")
        #expect(mismatches == 0, "first mismatch: \(first)")
    }
}
