@testable import PIIScrubJSON
import PIIScrubTestSupport
import Testing

/// The field-rule trie and its frames against the definition of a rule matching a path: for
/// random keep/only rule sets (wildcards, shared prefixes, duplicates, a rule that is another's
/// prefix) and random paths walked depth by depth, with siblings replacing frames as the JSON
/// walk does, every frame's flags must say what the rules say directly.
@Suite("Field-rule frames")
struct RuleFrameTests {
    static let segments = ["a", "b", "*", "attributes", "startTimeUnixNano", "startTimeUnixNanX", "c"]
    static let keys = ["a", "b", "c", "attributes", "startTimeUnixNano", "startTimeUnixNanX", "*", "x"]

    /// Whether `rule`'s first `depth` segments match `path`'s (`*` matches any key).
    static func prefixMatches(_ rule: [String], _ path: [String], depth: Int) -> Bool {
        guard rule.count >= depth, path.count >= depth else { return false }
        for i in 0..<depth where rule[i] != "*" && rule[i] != path[i] { return false }
        return true
    }

    @Test("frame flags equal the rules' direct meaning")
    func flagsMatchDefinition() {
        var rng = SplitMix64(seed: 0x7_21E)
        var checked = 0
        var mismatches = 0
        var singlePathSets = 0
        for _ in 0..<400 {
            func randomRule() -> [String] {
                (0..<Int.random(in: 1...4, using: &rng)).map { _ in
                    Self.segments[Int.random(in: 0..<Self.segments.count, using: &rng)]
                }
            }
            let keep = (0..<Int.random(in: 0...5, using: &rng)).map { _ in randomRule() }
            var only = (0..<Int.random(in: 0...4, using: &rng)).map { _ in randomRule() }
            if let first = only.first, Bool.random(using: &rng) { only.append(Array(first.dropLast())) }
            let table = RuleTable(keep: keep.map { FieldPath($0.joined(separator: ".")) },
                                  only: only.map { FieldPath($0.joined(separator: ".")) })
            let frames = RuleFrames(table: table)
            if table.singlePath { singlePathSets += 1 }
            // The root: only "an only rule goes deeper" can hold there.
            if frames.flags(0) != (only.isEmpty ? 0 : RuleFrames.onlyContinues) { mismatches += 1 }
            var path: [String] = []
            for _ in 0..<30 {
                // Move like a JSON walk: go deeper, or replace the key at some depth (a sibling).
                let depth = path.isEmpty ? 1 : Int.random(in: 1...min(path.count + 1, 5), using: &rng)
                // Mostly a key some rule names at this depth, so deep prefixes match often.
                let named = (keep + only).compactMap { $0.count >= depth && $0[depth - 1] != "*" ? $0[depth - 1] : nil }
                let next = !named.isEmpty && Int.random(in: 0..<4, using: &rng) > 0
                    ? named[Int.random(in: 0..<named.count, using: &rng)]
                    : Self.keys[Int.random(in: 0..<Self.keys.count, using: &rng)]
                path = Array(path.prefix(depth - 1)) + [next]
                let key = Array(path[depth - 1].utf8)
                key.withUnsafeBytes { frames.push(depth: depth, key: $0, in: table) }
                var expected: UInt8 = 0
                if keep.contains(where: { $0.count == depth && Self.prefixMatches($0, path, depth: depth) }) {
                    expected |= RuleFrames.keepEnds
                }
                if only.contains(where: { $0.count == depth && Self.prefixMatches($0, path, depth: depth) }) {
                    expected |= RuleFrames.onlyEnds
                }
                if only.contains(where: { $0.count > depth && Self.prefixMatches($0, path, depth: depth) }) {
                    expected |= RuleFrames.onlyContinues
                }
                checked += 1
                if frames.flags(depth) != expected { mismatches += 1 }
            }
        }
        #expect(checked == 12_000)
        #expect(mismatches == 0)
        // Both pushes ran: rule sets without a `*` take the single-node one.
        #expect(singlePathSets >= 20 && singlePathSets <= 380, "single-path rule sets: \(singlePathSets)")
    }

    @Test("frames grow past their first 64 levels, with and without `*` rules")
    func deepPaths() {
        let deep = (0..<150).map { "k\($0)" }
        for wildcard in [false, true] {
            var rule = deep.prefix(120).map { $0 }
            if wildcard { rule[7] = "*" }
            let table = RuleTable(keep: [FieldPath(rule.joined(separator: "."))], only: [])
            #expect(table.singlePath == !wildcard)
            let frames = RuleFrames(table: table)
            var mismatches = 0
            for (i, segment) in deep.enumerated() {
                Array(segment.utf8).withUnsafeBytes { frames.push(depth: i + 1, key: $0, in: table) }
                if frames.flags(i + 1) != (i + 1 == 120 ? RuleFrames.keepEnds : 0) { mismatches += 1 }
            }
            // Back up and go down a sibling: the frames below are replaced.
            Array("other".utf8).withUnsafeBytes { frames.push(depth: 100, key: $0, in: table) }
            Array("k100".utf8).withUnsafeBytes { frames.push(depth: 101, key: $0, in: table) }
            if frames.flags(101) != 0 { mismatches += 1 }
            #expect(mismatches == 0, "wildcard: \(wildcard)")
        }
    }
}
