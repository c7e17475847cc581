@testable import PIIScrub
import PIIScrubTestSupport
import Testing

/// The vector long-run scan (`CPIIScan_findLongRun`) must yield exactly the windows of the
/// trigger-first scan it replaces for narrow spans: a window it missed would be a leak.
@Suite("Prefilter scans")
struct PrefilterScanTests {
    static let definitions: [(name: String, definition: PrefilterDefinition, minWindow: Int)] = [
        ("seed-phone", PrefilterDefinition(trigger: "0-9", triggerUnicode: "digits", minTriggers: 9,
                                           span: "0-9.\\-", spanUnicode: "digits"), 1),
        ("ascii-only", PrefilterDefinition(trigger: "0-9", minTriggers: 4, span: "0-9.\\-"), 1),
        ("any-unicode", PrefilterDefinition(trigger: "0-9", minTriggers: 12, span: "0-9.\\-/", spanUnicode: "any"), 1),
        ("two-ranges", PrefilterDefinition(trigger: "0-9:", triggerUnicode: "digits", minTriggers: 3,
                                           span: "0-9:.\\-", spanUnicode: "digits"), 1),
        ("beyond-a-block", PrefilterDefinition(trigger: "0-9", triggerUnicode: "digits", minTriggers: 70,
                                               span: "0-9.\\-", spanUnicode: "digits"), 1),
        // Word-like spans: the api-key group's shape (one trigger, long shortest match).
        ("word-like-17", PrefilterDefinition(trigger: "_\\-", span: "A-Za-z0-9_\\-"), 17),
        ("word-like-70", PrefilterDefinition(trigger: "_\\-", span: "A-Za-z0-9_\\-"), 70),
        ("word-like-digits", PrefilterDefinition(trigger: "0-9", minTriggers: 2, span: "A-Za-z0-9"), 9),
    ]

    /// Digit-heavy atoms so long runs, runs across 64-byte blocks, Unicode digits, other scripts
    /// and invalid bytes all occur.
    static let atoms: [(weight: Int, bytes: [UInt8])] = [
        (30, Array("0".utf8)), (30, Array("7".utf8)), (8, Array(".".utf8)), (8, Array("-".utf8)),
        (8, Array(":".utf8)), (6, Array(" ".utf8)), (3, Array("a".utf8)), (2, Array("/".utf8)),
        (2, Array("\n".utf8)), (5, Array("\u{0661}".utf8)), (2, Array("\u{FF15}".utf8)), (3, Array("中".utf8)),
        (6, Array("k".utf8)), (3, Array("Q".utf8)), (3, Array("_".utf8)),
        (3, Array("я".utf8)), (1, Array("é".utf8)), (1, [0xFF]), (1, [0xD9]), (1, [0x80]),
    ]

    static func windows(_ prefilter: Prefilter, _ bytes: [UInt8], from start: Int) -> [[Int]] {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [] }
            var position = start
            var found: [[Int]] = []
            while let (window, triggers) = prefilter.nextWindow(base, from: &position, count: buffer.count) {
                found.append([window.lowerBound, window.upperBound, triggers])
            }
            return found
        }
    }

    @Test("long-run scan finds the same windows as the trigger-first scan", arguments: 0..<8)
    func sameWindows(_ k: Int) throws {
        let (name, definition, minWindow) = Self.definitions[k]
        let parsed = try Prefilter(definition, patternID: name)
        let fast = Prefilter(parsed, minTriggers: parsed.minTriggers, minWindow: minWindow)
        #expect(fast.usesLongRunScan)
        let slow = Prefilter(parsed, minTriggers: parsed.minTriggers, minWindow: minWindow, longRunScan: false)
        #expect(!slow.usesLongRunScan)
        let total = Self.atoms.reduce(0) { $0 + $1.weight }
        var rng = SplitMix64(seed: 0x10_6E_5CA4 &+ UInt64(k))
        var mismatches = 0
        var first = ""
        for round in 0..<4000 {
            var bytes: [UInt8] = []
            let length = Int.random(in: 0...(round % 4 == 0 ? 2000 : 400), using: &rng)
            // Runs of one kind make long digit runs and long prose alike.
            while bytes.count < length {
                var pick = Int.random(in: 0..<total, using: &rng)
                var atom = Self.atoms[0].bytes
                for candidate in Self.atoms {
                    if pick < candidate.weight { atom = candidate.bytes; break }
                    pick -= candidate.weight
                }
                for _ in 0..<Int.random(in: 1...12, using: &rng) { bytes += atom }
            }
            let start = round % 3 == 0 ? 0 : Int.random(in: 0...bytes.count, using: &rng)
            let expected = Self.windows(slow, bytes, from: start)
            let actual = Self.windows(fast, bytes, from: start)
            if actual != expected {
                mismatches += 1
                if first.isEmpty { first = "round \(round), \(bytes.count) bytes from \(start): \(escaped(bytes))" }
            }
        }
        #expect(mismatches == 0, "first mismatch: \(first)")
    }
}
