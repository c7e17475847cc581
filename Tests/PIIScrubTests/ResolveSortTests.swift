@testable import PIIScrub
import PIIScrubTestSupport
import Testing

/// Overlap resolution sorts each cluster with an insertion sort when it is small (no
/// allocation) and with `sort` beyond 16: both must give the same order for the total orders
/// the engine uses, at every size around the switch.
@Suite("Cluster sorting")
struct ResolveSortTests {
    @Test("sortSmall equals sort for the resolution orders")
    func sameOrder() {
        var rng = SplitMix64(seed: 0x5_0127)
        let priority = (0..<8).map { _ in Int.random(in: 0..<4, using: &rng) }
        func wins(_ a: Span, _ b: Span) -> Bool {
            if priority[a.pattern] != priority[b.pattern] { return priority[a.pattern] < priority[b.pattern] }
            if a.end - a.start != b.end - b.start { return a.end - a.start > b.end - b.start }
            return (a.start, a.pattern) < (b.start, b.pattern)
        }
        var mismatches = 0
        for round in 0..<3000 {
            // Distinct (start, pattern) pairs, as a cluster's candidates are.
            var seen = Set<[Int]>()
            var spans: [Span] = []
            for _ in 0..<(round % 40) {
                let start = Int.random(in: 0..<30, using: &rng)
                let pattern = Int.random(in: 0..<8, using: &rng)
                guard seen.insert([start, pattern]).inserted else { continue }
                spans.append(Span(start: start, end: start + Int.random(in: 1...12, using: &rng), pattern: pattern))
            }
            var small = spans
            Scrubber.sortSmall(&small, by: wins)
            if small != spans.sorted(by: wins) { mismatches += 1 }
            var byStart = spans
            Scrubber.sortSmall(&byStart) { ($0.start, $0.pattern) < ($1.start, $1.pattern) }
            if byStart != spans.sorted(by: { ($0.start, $0.pattern) < ($1.start, $1.pattern) }) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
}
