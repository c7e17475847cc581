import CPIIScan
@testable import PIIScrub
import PIIScrubTestSupport
import Testing

/// The `digitGroups` claim (`PrefilterDefinition.digitGroups`): the engine's window check
/// (`CPIIScan_hasDigitGroups`) against a reference written from the definition, and the load
/// check. A window the check wrongly refused would be a leak.
@Suite("Digit-group claim")
struct DigitGroupsTests {
    /// From the definition: the maximal runs of ASCII digits, and whether some list's lengths
    /// are consecutive runs each one byte after the one before.
    static func reference(_ bytes: [UInt8], _ groups: [[Int]]) -> Bool {
        var runs: [(start: Int, end: Int)] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i] &- 0x30 < 10 else {
                i += 1
                continue
            }
            let start = i
            while i < bytes.count && bytes[i] &- 0x30 < 10 { i += 1 }
            runs.append((start, i))
        }
        return groups.contains { list in
            runs.indices.contains { first in
                first + list.count <= runs.count
                    && list.indices.allSatisfy { k in
                        runs[first + k].end - runs[first + k].start == list[k]
                            && (k == 0 || runs[first + k].start - runs[first + k - 1].end == 1)
                    }
            }
        }
    }

    static func portable(_ bytes: [UInt8], _ encoded: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            encoded.withUnsafeBufferPointer { CPIIScan_hasDigitGroupsPortable(buffer.baseAddress, buffer.count, $0.baseAddress) != 0 }
        }
    }

    static let lists: [[[Int]]] = [
        [[3, 2, 4]], [[4, 4, 4, 4], [4, 4, 4, 1], [4, 6, 4], [4, 6, 5]], [[4, 4, 3]], [[2]],
        [[1, 1, 1, 1, 1, 1, 1, 1]], [[4, 4, 4, 4, 4, 4, 4, 2], [3]],
    ]

    @Test("the window check equals the reference on generated text")
    func checkEqualsReference() {
        var rng = SplitMix64(seed: 0xD161_7000)
        let alphabet = Array("0123456789 -./(a".utf8)
        var held = 0
        for round in 0..<40000 {
            let groups = Self.lists[round % Self.lists.count]
            // Digit runs of lengths near the lists', separated by one to three bytes.
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                let length = Int.random(in: 1...7, using: &rng)
                for _ in 0..<length { text.append(UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng)) }
                for _ in 0..<(Int.random(in: 0..<4, using: &rng) == 0 ? Int.random(in: 2...3, using: &rng) : 1) {
                    text.append(alphabet[Int.random(in: 10..<alphabet.count, using: &rng)])
                }
            }
            if Int.random(in: 0..<3, using: &rng) == 0 { text.removeLast(min(text.count, 1)) }
            let expected = Self.reference(text, groups)
            let encoded = PatternSet.encodeDigitGroups(groups)
            let actual = PatternSet.holdsDigitGroups(text, encoded)
            let portable = Self.portable(text, encoded)
            held += expected ? 1 : 0
            #expect(actual == expected, "round \(round): \(text.count) bytes")
            #expect(portable == expected, "round \(round): \(text.count) bytes, portable")
        }
        // Both answers occur often.
        #expect(held > 4000 && held < 36000)
    }

    @Test("chains longer than eight runs: the last eight are compared")
    func longChains() {
        let cases: [(String, [[Int]], Bool)] = [
            ("1-2-3-4-5-6-7-8-9-0-1", [[1, 1, 1, 1, 1, 1, 1, 1]], true),
            ("5-5-5-22-1-1-1-1-1-1-1", [[2, 1, 1, 1, 1, 1, 1, 1]], true),
            ("9-9-9-22-1-1-1-1-1-1", [[2, 1, 1, 1, 1, 1, 1, 1]], false),
            ("1-1-1-1-1-1-1-1-1-333-4444", [[3, 4]], true),
            ("1-1-1-1-1-1-1-1-1-333--4444", [[3, 4]], false),
        ]
        for (k, c) in cases.enumerated() {
            let bytes = Array(c.0.utf8)
            #expect(Self.reference(bytes, c.1) == c.2, "case \(k): reference")
            #expect(PatternSet.holdsDigitGroups(bytes, PatternSet.encodeDigitGroups(c.1)) == c.2, "case \(k)")
            #expect(Self.portable(bytes, PatternSet.encodeDigitGroups(c.1)) == c.2, "case \(k), portable")
        }
    }

    @Test("examples must hold a list; lists are checked at load")
    func loadCheck() {
        func load(_ groups: [[Int]], example: String = "123-45-6789") -> PIIScrubError.Code? {
            do {
                _ = try PatternSet(name: "t", definitions: [PatternDefinition(
                    id: "ssn", regex: "\\d{3}-\\d{2}-\\d{4}", replacement: "[SSN]",
                    prefilter: PrefilterDefinition(trigger: "0-9", minTriggers: 9, span: "0-9\\-", digitGroups: groups),
                    examples: .init(match: [example]))])
                return nil
            } catch {
                return error.code
            }
        }
        #expect(load([[3, 2, 4]]) == nil)
        #expect(load([[9, 9], [3, 2, 4]]) == nil)
        #expect(load([[3, 2, 5]]) == .prefilterMismatch)
        #expect(load([]) == .invalidPatternFile)
        #expect(load([[3, 0]]) == .invalidPatternFile)
        #expect(load([[33]]) == .invalidPatternFile)
        #expect(load([[1, 1, 1, 1, 1, 1, 1, 1, 1]]) == .invalidPatternFile)
    }
}
