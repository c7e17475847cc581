import CPIIScan
import PCRE2Wrapper
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

    /// At least `length` bytes of ``atoms`` by weight, each repeated 1...`repeats` times: runs of
    /// one kind make long digit runs and long prose alike.
    static func randomText(length: Int, repeats: Int, using rng: inout SplitMix64) -> [UInt8] {
        let total = atoms.reduce(0) { $0 + $1.weight }
        var bytes: [UInt8] = []
        while bytes.count < length {
            var pick = Int.random(in: 0..<total, using: &rng)
            var atom = atoms[0].bytes
            for candidate in atoms {
                if pick < candidate.weight { atom = candidate.bytes; break }
                pick -= candidate.weight
            }
            for _ in 0..<Int.random(in: 1...repeats, using: &rng) { bytes += atom }
        }
        return bytes
    }

    /// The windows from `start`, each as [start, end, triggers, ASCII context 0 or 1]. With `batched`, the scan reads ahead (``RunBuffer``) as the
    /// engine's does; `jumpEvery` > 0 moves the position a few bytes past every so many windows,
    /// as a match running past its window would, so the read-ahead must be dropped there.
    static func windows(_ prefilter: Prefilter, _ bytes: [UInt8], from start: Int, batched: Bool = false,
                        jumpEvery: Int = 0) -> [[Int]] {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [] }
            var position = start
            var found: [[Int]] = []
            func visit(_ window: PrefilterCore.Window) {
                found.append([window.range.lowerBound, window.range.upperBound, window.triggers, window.asciiContext ? 1 : 0])
                if jumpEvery > 0 && found.count % jumpEvery == 0 { position = min(buffer.count, position + 3) }
            }
            if batched {
                let storage = UnsafeMutablePointer<CPIIScan_Run>.allocate(capacity: RunBuffer.capacity)
                defer { storage.deallocate() }
                var runs = RunBuffer(storage: storage, capacity: RunBuffer.capacity)
                while let window = prefilter.core.nextWindow(base, from: &position, count: buffer.count, runs: &runs) {
                    visit(window)
                }
            } else {
                while let window = prefilter.nextWindow(base, from: &position, count: buffer.count) { visit(window) }
            }
            return found
        }
    }

    /// The digit prefilters skip every byte >= 0x80 outside ``unicodeDigitLeadBytes``, and the
    /// general path decides with ``isDecimalDigit``: both must agree with the `\d` of the PCRE2
    /// the engine links, for every code point (a PCRE2 with a newer Unicode fails here first).
    @Test("the Unicode digit table and its lead bytes agree with PCRE2's \\d")
    func digitTableMatchesPCRE2() throws {
        let digit = try CompiledPattern("^\\d$")
        var scratch = MatchScratch(maxCaptureCount: 1)
        var disagreements = 0
        var leadsMissing = 0
        var bytes: [UInt8] = []
        for value in UInt32(0x80)...0x10_FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            bytes.removeAll(keepingCapacity: true)
            bytes.append(contentsOf: String(Character(scalar)).utf8)
            let matched = try bytes.withUnsafeBytes { try digit.firstMatch(in: $0, from: 0, scratch: &scratch) != nil }
            if matched != isDecimalDigit(value) { disagreements += 1 }
            if matched && !unicodeDigitLeadBytes.contains(bytes[0]) { leadsMissing += 1 }
        }
        #expect(disagreements == 0, "code points where isDecimalDigit and PCRE2 \\d disagree")
        #expect(leadsMissing == 0, "PCRE2 digits whose lead byte is not in unicodeDigitLeadBytes")
        #expect(unicodeDigitLeadBytes == [0xD9, 0xDB, 0xDF, 0xE0, 0xE1, 0xEA, 0xEF, 0xF0])
    }

    @Test("long-run scan finds the same windows as the trigger-first scan", arguments: 0..<8)
    func sameWindows(_ k: Int) throws {
        let (name, definition, minWindow) = Self.definitions[k]
        let parsed = try Prefilter(definition, patternID: name)
        let fast = Prefilter(parsed, minTriggers: parsed.minTriggers, minWindow: minWindow)
        #expect(fast.usesLongRunScan)
        let slow = Prefilter(parsed, minTriggers: parsed.minTriggers, minWindow: minWindow, longRunScan: false)
        #expect(!slow.usesLongRunScan)
        var rng = SplitMix64(seed: 0x10_6E_5CA4 &+ UInt64(k))
        var mismatches = 0
        var first = ""
        for round in 0..<4000 {
            let bytes = Self.randomText(length: Int.random(in: 0...(round % 4 == 0 ? 2000 : 400), using: &rng),
                                        repeats: 12, using: &rng)
            let start = round % 3 == 0 ? 0 : Int.random(in: 0...bytes.count, using: &rng)
            let expected = Self.windows(slow, bytes, from: start)
            let actual = Self.windows(fast, bytes, from: start)
            // The read-ahead scan, plain and with the position moved on now and then.
            let batched = Self.windows(fast, bytes, from: start, batched: true)
            let jump = 1 + round % 5
            let jumped = Self.windows(fast, bytes, from: start, batched: true, jumpEvery: jump)
            let jumpedExpected = Self.windows(slow, bytes, from: start, jumpEvery: jump)
            if actual != expected || batched != expected || jumped != jumpedExpected {
                mismatches += 1
                if first.isEmpty { first = "round \(round), \(bytes.count) bytes from \(start): \(escaped(bytes))" }
            }
        }
        #expect(mismatches == 0, "first mismatch: \(first)")
    }

    /// `CPIIScan_growRun` (the vector growth of trigger-first windows) against a byte loop,
    /// around every ASCII span byte of random texts, runs across 32-byte steps and buffer ends.
    @Test("vector run growth equals the byte-by-byte growth")
    func growRunEqualsByteLoop() throws {
        let prefilter = try Prefilter(PrefilterDefinition(trigger: "@.", span: "A-Za-z0-9._%+@\\-"), patternID: "t")
        let core = prefilter.core
        let atoms: [[UInt8]] = ["a", "Z", "9", ".", "@", "-", "_", " ", "\n", ",", "é", "中"].map { Array($0.utf8) }
            + [[0x80], [0xFF]]
        var rng = SplitMix64(seed: 0x6_2017)
        var mismatches = 0
        var checked = 0
        for round in 0..<3000 {
            var bytes: [UInt8] = []
            let length = Int.random(in: 1...(round % 5 == 0 ? 600 : 120), using: &rng)
            let bias = Int.random(in: 0..<4, using: &rng)
            while bytes.count < length {
                let k = Int.random(in: 0..<atoms.count, using: &rng)
                bytes += bias > 0 && k >= 7 ? atoms[k % 6] : atoms[k]
            }
            bytes.withUnsafeBufferPointer { buffer in
                let p = buffer.baseAddress!
                let n = buffer.count
                for t in 0..<n where p[t] < 0x80 && core.span[Int(p[t])] != 0 {
                    var lo = t
                    var hi = t
                    var triggers = 0
                    while lo > 0 && p[lo - 1] < 0x80 && core.span[Int(p[lo - 1])] != 0 {
                        lo -= 1
                        triggers += Int(core.trigger[Int(p[lo])])
                    }
                    while hi < n && p[hi] < 0x80 && core.span[Int(p[hi])] != 0 {
                        triggers += Int(core.trigger[Int(p[hi])])
                        hi += 1
                    }
                    let grown = withUnsafePointer(to: core.nibbles) {
                        CPIIScan_growRun(p, t, n, core.trigger, core.span, $0)
                    }
                    checked += 1
                    if grown.lo != lo || grown.hi != hi || grown.triggers != triggers { mismatches += 1 }
                }
            }
        }
        #expect(checked > 100_000)
        #expect(mismatches == 0)
    }

    /// `CPIIScan_findRun` with nibble tables (AVX2: candidates and growth 32 bytes a step)
    /// against the portable scan, from every start of random texts, for each prefilter shape
    /// (one or several trigger ranges, Unicode digit leads, spans with and without space).
    @Test("vector run search equals the portable run search", arguments: 0..<8)
    func findRunVectorEqualsPortable(_ k: Int) throws {
        let (name, definition, _) = Self.definitions[k]
        let parsed = try Prefilter(definition, patternID: name)
        // At most 12 triggers, so the short texts hold runs that pass.
        let minTriggers = min(parsed.minTriggers, 12)
        let vector = Prefilter(parsed, minTriggers: minTriggers, longRunScan: false)
        let portable = Prefilter(parsed, minTriggers: minTriggers, longRunScan: false, vectorFindRun: false)
        #expect(vector.core.vectorFindRun && !portable.core.vectorFindRun && !vector.usesLongRunScan)
        var rng = SplitMix64(seed: 0xF1_4D + UInt64(k))
        var mismatches = 0
        var runs = 0
        for round in 0..<1500 {
            let bytes = Self.randomText(length: Int.random(in: 0...(round % 4 == 0 ? 700 : 150), using: &rng),
                                        repeats: 6, using: &rng)
            let starts = round % 2 == 0 ? Array(0...bytes.count) : [0, bytes.count / 2]
            for start in starts {
                let a = Self.windows(vector, bytes, from: start)
                let b = Self.windows(portable, bytes, from: start)
                runs += a.count
                if a != b { mismatches += 1 }
            }
        }
        #expect(runs > 1000)
        #expect(mismatches == 0)
    }

    /// `CPIIScan_findDigitRun` (the digit-run claim's search, 32 bytes a step for k <= 32)
    /// against a byte loop over digit-heavy texts, for run lengths on both sides of 32 and
    /// ranges cut inside runs.
    @Test("the digit-run search finds what a byte loop finds")
    func digitRunEqualsByteLoop() {
        let atoms: [[UInt8]] = ["0", "9", "5", "a", " ", "-", "/", ":", "٣", "é"].map { Array($0.utf8) }
        var rng = SplitMix64(seed: 0xD1_617)
        var mismatches = 0
        var found = 0
        for round in 0..<3000 {
            var bytes: [UInt8] = []
            let length = Int.random(in: 0...(round % 3 == 0 ? 400 : 120), using: &rng)
            let digitBias = Int.random(in: 1...40, using: &rng)
            while bytes.count < length {
                let atom = Int.random(in: 0..<100, using: &rng) < 100 - 100 / (digitBias + 1)
                    ? atoms[Int.random(in: 0..<3, using: &rng)] : atoms[Int.random(in: 3..<atoms.count, using: &rng)]
                bytes += atom
            }
            let k = Int.random(in: 0...40, using: &rng)
            let from = Int.random(in: 0...bytes.count, using: &rng)
            let end = Int.random(in: from...bytes.count, using: &rng)
            // The byte loop: maximal digit runs of p[from ..< end], the first of at least max(k, 1).
            var expected = (end, end)
            var i = from
            while i < end {
                while i < end && bytes[i] &- 0x30 >= 10 { i += 1 }
                let a = i
                while i < end && bytes[i] &- 0x30 < 10 { i += 1 }
                if i - a >= max(k, 1) {
                    expected = (a, i)
                    break
                }
            }
            let actual = bytes.withUnsafeBufferPointer { buffer -> (Int, Int) in
                var runEnd = -1
                let start = CPIIScan_findDigitRun(buffer.baseAddress!, from, end, k, &runEnd)
                return (start, runEnd)
            }
            if expected.0 < end { found += 1 }
            if actual != expected { mismatches += 1 }
        }
        #expect(found > 500)
        #expect(mismatches == 0)
    }

    /// Digit-run windows (``PrefilterCore/digitRunLength``): every start a digit-run claim allows
    /// (within `within` bytes before a run of at least `length` digits, up to where the run still
    /// holds that many) lies in a window; windows come in order, do not overlap, start on a
    /// character's first byte, and are the same whether the look-ahead is kept or the position
    /// jumps now and then (as after a match that ran past its window).
    @Test("digit-run windows hold every start the claim allows", arguments: [(7, 96), (9, 0), (1, 5), (40, 30)])
    func digitRunWindowsCoverClaim(_ claim: (Int, Int)) throws {
        let (length, within) = claim
        let parsed = try Prefilter(PrefilterDefinition(trigger: "0-9", minTriggers: 7, span: "A-Za-z0-9 .:#=\\-"),
                                   patternID: "t")
        let prefilter = Prefilter(parsed, minTriggers: 7, digitRunWindows: (length, within))
        var rng = SplitMix64(seed: 0xD16_1700 &+ UInt64(length))
        var uncovered = 0
        var badShape = 0
        var mismatches = 0
        var windows = 0
        for round in 0..<1500 {
            let bytes = Self.randomText(length: Int.random(in: 0...(round % 4 == 0 ? 1500 : 300), using: &rng),
                                        repeats: 10, using: &rng)
            // The engine's positions are character starts.
            var start = round % 3 == 0 ? 0 : Int.random(in: 0...bytes.count, using: &rng)
            while start < bytes.count && bytes[start] & 0xC0 == 0x80 { start += 1 }
            let found = Self.windows(prefilter, bytes, from: start)
            let batched = Self.windows(prefilter, bytes, from: start, batched: true)
            if found != batched { mismatches += 1 }
            windows += found.count
            // Character starts are checked on valid UTF-8 (elsewhere a stray continuation byte
            // may begin a window, as it may begin any PCRE2 search with PCRE2_MATCH_INVALID_UTF).
            let valid = String(validating: bytes, as: UTF8.self) != nil
            var previousEnd = start
            for w in found {
                if w[0] < previousEnd || w[0] >= w[1] || (valid && bytes[w[0]] & 0xC0 == 0x80) { badShape += 1 }
                previousEnd = w[1]
            }
            // Every allowed start at or after `start`, from the maximal digit runs of the text.
            var i = 0
            while i < bytes.count {
                while i < bytes.count && bytes[i] &- 0x30 >= 10 { i += 1 }
                let a = i
                while i < bytes.count && bytes[i] &- 0x30 < 10 { i += 1 }
                guard i - a >= length else { continue }
                for s in max(start, a - within)...max(start, i - length) where s <= i - length {
                    if !found.contains(where: { $0[0] <= s && s < $0[1] }) { uncovered += 1 }
                }
            }
        }
        #expect(windows > 50)
        #expect(uncovered == 0)
        #expect(badShape == 0)
        #expect(mismatches == 0)
    }

    @Test("the default set's label patterns take digit-run windows, the digit group does not")
    func defaultSetDigitRunWindows() throws {
        let set = try TestSets.load("default")
        func group(of id: String) throws -> ScanGroup {
            let index = try #require(set.patterns.firstIndex { $0.id == id })
            return try #require(set.stageGroups.joined().first { $0.patterns.contains(index) })
        }
        let labels = try group(of: "phone-labelled").prefilter?.core
        #expect(labels?.digitRunLength == 7 && labels?.digitRunWithin == 56)
        #expect(try group(of: "us-ssn-labelled") === group(of: "phone-labelled"))
        #expect(try group(of: "phone-labelled-intl") === group(of: "phone-labelled"))
        // phone-bare claims a run too, but of any Nd digits, and shares its group with patterns
        // that claim none.
        #expect(try group(of: "phone-bare").prefilter?.core.digitRunLength == 0)
    }

    // MARK: Trigger pairs

    /// `CPIIScan_findTriggerPair` with AVX2 against the byte loop and a plain Swift loop, for
    /// every gap the claim allows, at most or exactly that far apart, from random starts, pairs
    /// across 32- and 64-byte steps and the buffer's end.
    @Test("the trigger-pair search finds what a byte loop finds")
    func triggerPairEqualsByteLoop() {
        let atoms: [[UInt8]] = [":", ".", "a", "0", " ", "f", "é", "::"].map { Array($0.utf8) }
        var rng = SplitMix64(seed: 0x9A1_2)
        var mismatches = 0
        var found = 0, foundExact = 0
        for round in 0..<4000 {
            var bytes: [UInt8] = []
            let length = Int.random(in: 0...(round % 3 == 0 ? 500 : 130), using: &rng)
            let sparse = Int.random(in: 1...60, using: &rng)
            while bytes.count < length {
                bytes += Int.random(in: 0..<sparse, using: &rng) == 0
                    ? atoms[Int.random(in: 0..<2, using: &rng)] : atoms[Int.random(in: 2..<atoms.count - 1, using: &rng)]
            }
            let byte = UInt8(ascii: round % 2 == 0 ? ":" : ".")
            let gap = Int.random(in: 1...32, using: &rng)
            let exact = round % 4 >= 2
            let from = Int.random(in: 0...bytes.count, using: &rng)
            var expected = bytes.count
            search: for i in from..<bytes.count where bytes[i] == byte {
                for j in (i + 1)..<min(bytes.count, i + gap + 1) where bytes[j] == byte && (!exact || j == i + gap) {
                    expected = i
                    break search
                }
            }
            let (vector, portable) = bytes.withUnsafeBufferPointer { buffer -> (Int, Int) in
                guard let base = buffer.baseAddress else { return (0, 0) }
                return (CPIIScan_findTriggerPair(base, from, buffer.count, byte, gap, exact ? 1 : 0, 1),
                        CPIIScan_findTriggerPair(base, from, buffer.count, byte, gap, exact ? 1 : 0, 0))
            }
            if expected < bytes.count { found += 1; if exact { foundExact += 1 } }
            if vector != expected || portable != expected { mismatches += 1 }
        }
        #expect(found > 500 && foundExact > 100, "\(found) found, \(foundExact) exactly")
        #expect(mismatches == 0)
    }

    /// Pair windows (``PrefilterCore/triggerGap``) are windows of the plain scan, and every plain
    /// window that holds a pair of triggers at most `gap` apart, at or after the scan's start,
    /// is one: a match (which holds such a pair) is never outside them.
    @Test("pair windows are the trigger windows that hold a pair",
          arguments: [(1, false), (3, false), (5, false), (32, false), (1, true), (3, true), (5, true), (9, true)])
    func pairWindows(_ gap: Int, _ exact: Bool) throws {
        let definition = PrefilterDefinition(trigger: ":", minTriggers: 2, span: "0-9A-Fa-f:.")
        let parsed = try Prefilter(definition, patternID: "t")
        // The reference scan without AVX2: no code shared with the pair runs' vector growth.
        let plain = Prefilter(parsed, minTriggers: 2, vectorFindRun: false)
        let paired = Prefilter(parsed, minTriggers: 2, triggerGap: gap, triggerGapExact: exact)
        let portable = Prefilter(parsed, minTriggers: 2, vectorFindRun: false, triggerGap: gap, triggerGapExact: exact)
        // A window's shortest length, as a group's shortest match makes it.
        let long = Prefilter(parsed, minTriggers: 2, minWindow: 7, triggerGap: gap, triggerGapExact: exact)
        var rng = SplitMix64(seed: 0x9A1_3 &+ UInt64(gap))
        var held = 0
        var missing = 0
        var extra = 0
        var readAhead = 0
        for round in 0..<1500 {
            let bytes = Self.randomText(length: Int.random(in: 0...(round % 4 == 0 ? 1500 : 300), using: &rng),
                                        repeats: 3, using: &rng)
            let start = round % 3 == 0 ? 0 : Int.random(in: 0...bytes.count, using: &rng)
            let expected = Self.windows(plain, bytes, from: start)
            let actual = Self.windows(paired, bytes, from: start)
            // The engine reads pair runs ahead (`CPIIScan_findPairRuns`, up to a buffer's worth):
            // the same windows, after a jump past a window too, with and without AVX2.
            if Self.windows(paired, bytes, from: start, batched: true) != actual
                || Self.windows(portable, bytes, from: start, batched: true) != actual
                || Self.windows(paired, bytes, from: start, batched: true, jumpEvery: 2)
                    != Self.windows(paired, bytes, from: start, jumpEvery: 2)
                || Self.windows(long, bytes, from: start, batched: true) != actual.filter({ $0[1] - $0[0] >= 7 }) {
                readAhead += 1
            }
            for w in actual where !expected.contains(w) { extra += 1 }
            for w in expected {
                // A match found from `start` (a window's or a match's end) starts there or later.
                let hasPair = (max(w[0], start)..<w[1]).contains { i in
                    bytes[i] == UInt8(ascii: ":") && ((i + 1)..<min(w[1], i + gap + 1)).contains {
                        bytes[$0] == UInt8(ascii: ":") && (!exact || $0 == i + gap)
                    }
                }
                guard hasPair else { continue }
                held += 1
                if !actual.contains(w) { missing += 1 }
            }
        }
        #expect(held > 100, "\(held) windows with a pair")
        #expect(missing == 0)
        #expect(extra == 0)
        #expect(readAhead == 0, "\(readAhead) texts where reading ahead changed the windows")
    }

    @Test("the default set's colon and dotted-MAC groups take pair windows")
    func defaultSetPairWindows() throws {
        let set = try TestSets.load("default")
        func gap(of id: String) throws -> Int? {
            let index = try #require(set.patterns.firstIndex { $0.id == id })
            return set.stageGroups.joined().first { $0.patterns.contains(index) }?.prefilter?.core.triggerGap
        }
        #expect(try gap(of: "ipv6") == 5)
        #expect(try gap(of: "mac-address") == 5)
        #expect(try gap(of: "mac-address-dotted") == 5)
        #expect(try gap(of: "ipv4") == 0)
        func exact(of id: String) throws -> Bool? {
            let index = try #require(set.patterns.firstIndex { $0.id == id })
            return set.stageGroups.joined().first { $0.patterns.contains(index) }?.prefilter?.core.triggerGapExact
        }
        #expect(try exact(of: "mac-address-dotted") == true)
        #expect(try exact(of: "ipv6") == false)
    }

    @Test("a trigger-pair claim that an example or the prefilter contradicts is refused when the set is loaded")
    func triggerPairRules() {
        func set(_ gap: Int, trigger: String = ":", minTriggers: Int = 2, anchor: String? = nil) throws -> PatternSet {
            try PatternSet(name: "t", definitions: [
                PatternDefinition(
                    id: "mac", regex: "[0-9a-f]{2}(?::[0-9a-f]{2}){5}|[0-9a-f]{2}(?::[0-9a-f]{6}){2}", replacement: "[MAC]",
                    prefilter: PrefilterDefinition(trigger: trigger, minTriggers: minTriggers, span: "0-9a-f:",
                                                   anchor: anchor, triggerGap: gap),
                    examples: .init(match: ["00:1a:2b:3c:4d:5e", "00:1a2b3c:4d5e6f"])),
            ])
        }
        // The second example's colons are 7 bytes apart.
        #expect(throws: PIIScrubError.self) { _ = try set(6) }
        #expect(throws: PIIScrubError.self) { _ = try set(33) }
        #expect(throws: PIIScrubError.self) { _ = try set(7, trigger: ":0") }
        #expect(throws: PIIScrubError.self) { _ = try set(7, minTriggers: 1) }
        #expect(throws: PIIScrubError.self) { _ = try set(7, anchor: ":") }
        #expect(throws: Never.self) { _ = try set(7) }
        // Exactly that far apart: the first example's colons are 3 apart, the second's 7.
        func exactSet(_ gap: Int?, examples: [String]) throws -> PatternSet {
            try PatternSet(name: "t", definitions: [
                PatternDefinition(
                    id: "mac", regex: "[0-9a-f]{2}(?::[0-9a-f]{2}){5}|[0-9a-f]{2}(?::[0-9a-f]{6}){2}", replacement: "[MAC]",
                    prefilter: PrefilterDefinition(trigger: ":", minTriggers: 2, span: "0-9a-f:", triggerGap: gap,
                                                   triggerGapExact: true),
                    examples: .init(match: examples)),
            ])
        }
        #expect(throws: Never.self) { _ = try exactSet(3, examples: ["00:1a:2b:3c:4d:5e"]) }
        #expect(throws: PIIScrubError.self) { _ = try exactSet(3, examples: ["00:1a:2b:3c:4d:5e", "00:1a2b3c:4d5e6f"]) }
        #expect(throws: PIIScrubError.self) { _ = try exactSet(4, examples: ["00:1a:2b:3c:4d:5e"]) }
        #expect(throws: PIIScrubError.self) { _ = try exactSet(nil, examples: ["00:1a:2b:3c:4d:5e"]) }
    }

    @Test("a requires claim that an example or the pattern's case folding contradicts is refused")
    func requiresRules() throws {
        func set(_ literals: [String], caseless: Bool = false) throws -> PatternSet {
            try PatternSet(name: "t", definitions: [
                PatternDefinition(
                    id: "cred", regex: "[a-z]{2,8}://[a-z]+:[a-z]+@[a-z.]+", flags: caseless ? ["caseless"] : nil,
                    replacement: "[CRED]",
                    prefilter: PrefilterDefinition(trigger: "@", span: "a-zA-Z:/@.", requires: literals),
                    examples: .init(match: ["https://a:b@c.io", "ftp://x:y@z.net"])),
            ])
        }
        #expect(throws: PIIScrubError.self) { _ = try set(["https"]) }
        #expect(throws: PIIScrubError.self) { _ = try set([]) }
        #expect(throws: PIIScrubError.self) { _ = try set([""]) }
        #expect(throws: PIIScrubError.self) { _ = try set(["tp", "://"], caseless: true) }
        #expect(throws: Never.self) { _ = try set(["https", "ftp"]) }
        #expect(throws: Never.self) { _ = try set(["://"], caseless: true) }
        // A window without the string is not searched; one with it is.
        let scrubber = Scrubber(patternSet: try set(["://"]))
        let scrubbed = scrubber.scrub("see https://a:b@c.io now") == "see [CRED] now"  // a Bool: prints no text
        #expect(scrubbed)
        #expect(try TestSets.load("default").patterns.first { $0.id == "url-credentials" }?.definition.prefilter?.requires == ["://"])
        // `Bearer` or `Basic`: the trigger `B` alone starts a window at every capital B of prose.
        #expect(try TestSets.load("default").patterns.first { $0.id == "authorization-credentials" }?
            .definition.prefilter?.requires == ["Bearer", "Basic"])
    }

    @Test("a requiresClass claim that an example or the pattern's case folding contradicts is refused")
    func requiresClassRules() throws {
        func set(_ members: String, caseless: Bool = false) throws -> PatternSet {
            try PatternSet(name: "t", definitions: [
                PatternDefinition(
                    id: "iban-like", regex: "[A-Z]{2}[0-9]{6,10}", flags: caseless ? ["caseless"] : nil,
                    replacement: "[IBAN]",
                    prefilter: PrefilterDefinition(trigger: "0-9", minTriggers: 6, span: "0-9A-Za-z",
                                                   requiresClass: members),
                    examples: .init(match: ["DE12345678", "GB1234567890"])),
            ])
        }
        #expect(throws: PIIScrubError.self) { _ = try set("") }
        #expect(throws: PIIScrubError.self) { _ = try set("a-z") }  // no example holds one
        #expect(throws: PIIScrubError.self) { _ = try set("A-Z", caseless: true) }
        #expect(throws: PIIScrubError.self) { _ = try set("Z-A") }
        #expect(throws: Never.self) { _ = try set("A-Z") }
        #expect(throws: Never.self) { _ = try set("0-9", caseless: true) }
        // A window without a capital letter is not searched; one with it is, and the result is
        // the prefilter-off reference's.
        let claimed = Scrubber(patternSet: try set("A-Z"))
        let reference = EngineConfiguration(jit: true, prefilter: false).scrubber(try set("A-Z"))
        var differences = 0
        for text in ["iban DE12345678 and 1234567890", "no letters 12345678 90", "gb12345678 GB12345678",
                     "x 123456 DE1234567 y", "DE12345678"] where claimed.scrub(text) != reference.scrub(text) {
            differences += 1
        }
        #expect(differences == 0)
        let scrubbed = claimed.scrub("pay DE12345678 now") == "pay [IBAN] now"  // a Bool: prints no text
        #expect(scrubbed)
        let ibans = try TestSets.load("default").patterns.filter { $0.id.hasPrefix("iban") }
        #expect(ibans.count == 2 && ibans.allSatisfy { $0.definition.prefilter?.requiresClass == "A-Z" })
    }

    @Test("a requiresClassCount claim needs its class, 1 to 64, and every example holding that many; fewer skip the window")
    func requiresClassCountRules() throws {
        func set(_ count: Int?, members: String? = "A-Z") throws -> PatternSet {
            try PatternSet(name: "t", definitions: [
                PatternDefinition(
                    id: "iban-like", regex: "[A-Z]{2}[0-9]{6,10}", replacement: "[IBAN]",
                    prefilter: PrefilterDefinition(trigger: "0-9", minTriggers: 6, span: "0-9A-Za-z",
                                                   requiresClass: members, requiresClassCount: count),
                    examples: .init(match: ["DE12345678", "GB1234567890"])),
            ])
        }
        #expect(throws: PIIScrubError.self) { _ = try set(0) }
        #expect(throws: PIIScrubError.self) { _ = try set(65) }
        #expect(throws: PIIScrubError.self) { _ = try set(2, members: nil) }
        #expect(throws: PIIScrubError.self) { _ = try set(3) }  // the examples hold two capitals
        #expect(throws: Never.self) { _ = try set(2) }
        #expect(throws: Never.self) { _ = try set(1) }
        // A window with one capital is not searched for a claim of two (it cannot hold a match);
        // the result is the prefilter-off reference's whatever the count.
        for count in [1, 2] {
            let claimed = Scrubber(patternSet: try set(count))
            let reference = EngineConfiguration(jit: true, prefilter: false).scrubber(try set(count))
            var differences = 0
            for text in ["iban DE12345678 and 1234567890", "D12345678 x", "xD12345678 DE12345678", "DE1234567",
                         "A1B2C3456789 GB1234567890"] where claimed.scrub(text) != reference.scrub(text) {
                differences += 1
            }
            #expect(differences == 0)
        }
        // The default set's claims: the dots of an IPv4 address, the hex digits of a dashed MAC
        // address, the lower-case letters of a vendor API key's prefix (`hf_`, `sk-`: at least 2).
        let claims = Dictionary(uniqueKeysWithValues: try TestSets.load("default").patterns.map {
            ($0.id, ($0.definition.prefilter?.requiresClass, $0.definition.prefilter?.requiresClassCount))
        })
        #expect(claims["ipv4"]! == (".", 3))
        #expect(claims["mac-address-dashed"]! == ("0-9A-Fa-f", 12))
        #expect(claims["api-key"]! == ("a-z", 2))
        let unclaimed = Scrubber(patternSet: try set(nil))
        let dense = unclaimed.scrub("DE12345678") == "[IBAN]"  // a Bool: prints no text
        #expect(dense)
    }

    @Test("trigger literals: a byte trigger that starts none of the group's required strings grows no window; the output is the reference's")
    func triggerLiterals() throws {
        func pattern(_ id: String, _ regex: String, requires: [String]?) -> PatternDefinition {
            PatternDefinition(id: id, regex: regex, replacement: "[SECRET]",
                              prefilter: PrefilterDefinition(trigger: "B", span: "A-Za-z0-9 ", requires: requires),
                              examples: .init(match: []))
        }
        let credentials = pattern("credentials", "(?<![A-Za-z0-9])(?:Bearer|Basic) [A-Za-z0-9]{8,}", requires: ["Bearer", "Basic"])
        let bare = pattern("b-number", "(?<![A-Za-z0-9])B[0-9]{8}(?![0-9])", requires: nil)
        let other = pattern("other-literal", "(?<![A-Za-z0-9])xBearer [0-9]{8}", requires: ["xBearer"])
        let alone = try PatternSet(name: "t", definitions: [credentials])
        let mixed = try PatternSet(name: "t", definitions: [credentials, bare])
        let notFirst = try PatternSet(name: "t", definitions: [other])
        func literals(_ set: PatternSet) -> Int {
            withExtendedLifetime(set) { set.stageGroups[0][0].prefilter?.core.triggerLiterals.count ?? -1 }
        }
        // Kept only when every pattern of the group requires strings that start with the trigger.
        #expect(literals(alone) == 2 && literals(mixed) == 0 && literals(notFirst) == 0)
        var rng = SplitMix64(seed: 23)
        let pieces = ["B", "Bearer", "Basic", "Bea", "Bas", "BBearer", " ", "token1234", "B12345678", "x", ",", "\n"]
        var texts = ["Bearer", "Basic abcdefgh1", "BBasic abcdefgh1", "Bob Bearer abcdefgh1 B12345678", "Basi"]
        for _ in 0..<500 { texts.append((0..<10).map { _ in pieces.randomElement(using: &rng)! }.joined()) }
        var differences = 0
        for set in [alone, mixed, notFirst] {
            let claimed = Scrubber(patternSet: set)
            let reference = EngineConfiguration(jit: true, prefilter: false).scrubber(set)
            for text in texts where claimed.scrub(text) != reference.scrub(text) { differences += 1 }
        }
        #expect(differences == 0)
        // The default set: `B` of prose for `authorization-credentials`, `%` for `%40`.
        // (The cores point into their prefilters' tables: the set must outlive the reading.)
        let defaultSet = try TestSets.load("default")
        let groups = withExtendedLifetime(defaultSet) {
            defaultSet.stageGroups[0].compactMap(\.prefilter?.core)
                .filter { !$0.triggerLiterals.isEmpty }
                .map { core in core.triggerLiterals.map { String(decoding: $0, as: UTF8.self) } }
        }
        #expect(Set(groups) == [["Basic", "Bearer"], ["%40"]])
    }

    @Test("a requiresCaseless claim: lower-case strings of 3 to 32 characters, held by every all-ASCII example; windows without one are not searched")
    func requiresCaselessRules() throws {
        func set(_ literals: [String]?, examples: [String] = ["phone: 4155550132", "TEL 4155550132", "ſmſ 4155550132"],
                 context: String? = nil) throws -> PatternSet {
            try PatternSet(name: "t", definitions: [
                PatternDefinition(
                    id: "labelled", regex: "(?i:phone|tel|sms)[ :]{0,2}\\K[0-9]{7,12}(?![0-9])", replacement: "[PHONE]",
                    prefilter: PrefilterDefinition(trigger: "0-9", minTriggers: 7, span: "A-Za-z0-9 :",
                                                   spanUnicode: "list", spanCodePoints: ["U+017F", "U+212A"],
                                                   digitRun: 7, digitRunWithin: 12, requiresCaseless: literals),
                    examples: .init(match: examples),
                    keyLabels: context.map { .init(context: $0, suffixes: ["phone"]) }),
            ])
        }
        #expect(throws: PIIScrubError.self) { _ = try set([]) }
        #expect(throws: PIIScrubError.self) { _ = try set(["Phone", "tel", "sms"]) }  // upper case
        #expect(throws: PIIScrubError.self) { _ = try set(["ph", "tel", "sms"]) }  // too short
        #expect(throws: PIIScrubError.self) { _ = try set(["phone", "sms"]) }  // `TEL 4155550132` holds none
        #expect(throws: Never.self) { _ = try set(["phone", "tel", "sms"]) }  // `ſmſ` is exempt: not ASCII
        // A key label's context is read before JSON values: it must hold one of the strings.
        #expect(throws: Never.self) { _ = try set(["phone", "tel", "sms"], context: "Tel: ") }
        #expect(throws: PIIScrubError.self) { _ = try set(["phone", "sms"], examples: ["phone: 4155550132"], context: "Tel: ") }
        // The same output as the prefilter-off reference, which ignores the claim: labels in any
        // case, `ſ` for `s` (a window that is not all ASCII is searched), labels cut by the
        // window's start, words that hold a literal's first letters only.
        let claimed = Scrubber(patternSet: try set(["phone", "tel", "sms"]))
        let reference = EngineConfiguration(jit: true, prefilter: false).scrubber(try set(["phone", "tel", "sms"]))
        var differences = 0
        var texts = ["phone: 4155550132", "PhOnE 4155550132 and TEL:4155550132", "ſmſ 4155550132", "ſMS 4155550132",
                     "hotel 4155550132", "telephone 4155550132", "photo 4155550132 te 4155550132 sm 4155550132",
                     "a long sentence without a label before 4155550132 and after", "Tel 4155550132", "TEL4155550132"]
        var rng = SplitMix64(seed: 17)
        let pieces = ["phone", "PHONE", "tel", "Tel", "sms", "SMS", "ph", "te", "sm", " ", ":", "x", "ſ", "4155550132", "12"]
        for _ in 0..<400 { texts.append((0..<8).map { _ in pieces.randomElement(using: &rng)! }.joined()) }
        for text in texts where claimed.scrub(text) != reference.scrub(text) { differences += 1 }
        #expect(differences == 0)
        let kept = claimed.scrub("photo 4155550132") == "photo 4155550132"  // a Bool: prints no text
        #expect(kept)
        // The engine's search agrees with a byte-by-byte one at every window of random texts.
        let literals = ["phone", "tel", "cel", "ss#", "text", "tex"].map { Array($0.utf8) }
        let masks = CaselessLiterals.masks(literals)
        let alphabet = Array("pPhHoOnNeEtTlLcCsSxX# ".utf8)
        var disagreements = 0
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 1..<24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let lo = Int.random(in: 0...bytes.count, using: &rng)
            let hi = Int.random(in: lo...bytes.count, using: &rng)
            let expected = literals.contains { CaselessLiterals.contains(bytes[lo..<hi], $0) }
            let stored = literals.map { l in UnsafeBufferPointer(start: UnsafePointer(copyToHeap(l)), count: l.count) }
            defer { for l in stored { l.deallocate() } }
            let found = bytes.withUnsafeBufferPointer { b in
                masks.withUnsafeBufferPointer { m in
                    stored.withUnsafeBufferPointer { s in CaselessLiterals.holdsAny(b.baseAddress!, lo..<hi, masks: m.baseAddress!, literals: s) }
                }
            }
            if found != expected { disagreements += 1 }
        }
        #expect(disagreements == 0)
        let labels = Dictionary(uniqueKeysWithValues: try TestSets.load("default").patterns.map {
            ($0.id, $0.definition.prefilter?.requiresCaseless)
        })
        #expect(labels["phone-labelled"]??.contains("tel") == true && labels["us-ssn-labelled"]??.contains("ssn") == true)
    }

    private func copyToHeap(_ bytes: [UInt8]) -> UnsafeMutablePointer<UInt8> {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, bytes.count))
        p.initialize(from: bytes, count: bytes.count)
        return p
    }

    @Test("a requiresNonASCII claim that an example contradicts is refused; windows with ASCII context are not searched for it")
    func requiresNonASCIIRules() throws {
        func prefilter(_ claim: Bool?) -> PrefilterDefinition {
            PrefilterDefinition(trigger: "0-9", minTriggers: 7, span: "0-9a-z :", spanUnicode: "any",
                                digitRun: 7, digitRunWithin: 16, requiresNonASCII: claim)
        }
        func intl(_ examples: [String], claim: Bool? = true) -> PatternDefinition {
            PatternDefinition(id: "label-intl", regex: #"(?:電話|тел)[ :]{0,2}\K[0-9]{7,10}(?![0-9])"#,
                              replacement: "[PHONE]", prefilter: prefilter(claim), examples: .init(match: examples))
        }
        let ascii = PatternDefinition(id: "label", regex: #"phone[ :]{0,2}\K[0-9]{7,10}(?![0-9])"#, replacement: "[PHONE]",
                                      prefilter: prefilter(nil), examples: .init(match: ["phone: 1234567"]))
        #expect(throws: PIIScrubError.self) { _ = try PatternSet(name: "t", definitions: [intl(["電話: 1234567", "tel 1234567"])]) }
        let texts = ["電話: 1234567", "тел 12345678 and phone: 7654321", "phone 1234567 電話", "x 1234567 y",
                     "電話1234567890", "abc 電話 1234567", "phone: 1234567 " + String(repeating: "x", count: 40) + "тел:7654321"]
        // Alone (one pattern in its group) and beside an ASCII pattern (a group of two).
        for definitions in [[intl(["電話: 1234567"])], [intl(["電話: 1234567"]), ascii]] {
            let set = try PatternSet(name: "t", definitions: definitions)
            let claimed = Scrubber(patternSet: set)
            let reference = EngineConfiguration(jit: true, prefilter: false).scrubber(set)
            var differences = 0
            for text in texts where claimed.scrub(text) != reference.scrub(text) { differences += 1 }
            #expect(differences == 0, "\(definitions.count) patterns")
            let scrubbed = claimed.scrub("電話: 1234567") == "電話: [PHONE]"  // a Bool: prints no text
            #expect(scrubbed)
            // Windows with ASCII context are not searched for the claiming pattern; others are.
            let worker = claimed.makeWorker()
            _ = worker.scrub("phone 1234567 x 7654321 y 1111111")
            #expect(worker.searches(forPatternAt: 0) == 0, "\(definitions.count) patterns: ASCII windows")
            _ = worker.scrub("電話 1234567")
            #expect(worker.searches(forPatternAt: 0) > 0, "\(definitions.count) patterns: a non-ASCII window")
        }
        let unclaimed = Scrubber(patternSet: try PatternSet(name: "t", definitions: [intl(["電話: 1234567"], claim: nil)]))
        let worker = unclaimed.makeWorker()
        _ = worker.scrub("phone 1234567 x 7654321 y 1111111")
        #expect(worker.searches(forPatternAt: 0) > 0, "without the claim, ASCII windows are searched")
        let intlPattern = try TestSets.load("default").patterns.first { $0.id == "phone-labelled-intl" }
        #expect(intlPattern?.definition.prefilter?.requiresNonASCII == true)
    }

    // MARK: Anchors

    /// Whether `anchor` (lower case when caseless) occurs in `bytes` at `i`.
    static func anchorAt(_ bytes: [UInt8], _ i: Int, _ anchor: [UInt8], caseless: Bool) -> Bool {
        guard i >= 0, i + anchor.count <= bytes.count else { return false }
        for (k, a) in anchor.enumerated() {
            let b = bytes[i + k]
            let folded = caseless && a &- 0x61 < 26 ? b | 0x20 : b
            if folded != a { return false }
        }
        return true
    }

    /// `CPIIScan_findAnchor` against a byte loop: every probe pair, every start, texts shorter and
    /// longer than a 16- and a 32-byte step, anchors at the very end, near misses and case
    /// variants; the AVX2 and the SSE2 search.
    @Test("the anchor search finds what a byte loop finds")
    func findAnchorEqualsByteLoop() {
        let anchors: [(String, Bool)] = [("ecret", true), ("-lf-", false), ("eyJ", false), ("-----BEGIN ", false),
                                         ("e", true), ("ab", true)]
        let atoms: [[UInt8]] = ["e", "E", "c", "C", "r", "R", "t", "T", "-", "l", "f", "y", "J", "j", "a", "B", "b",
                                "BEGIN ", "ecret", "ECRET", "-lf-", " ", "é"].map { Array($0.utf8) } + [[0xFF], [0xC5]]
        var rng = SplitMix64(seed: 0xA_0C40)
        var mismatches = 0
        var found = 0
        var firstMismatch = ""
        for round in 0..<3000 {
            let (text, caseless) = anchors[round % anchors.count]
            let anchor = Array(text.utf8)
            var bytes: [UInt8] = []
            let length = Int.random(in: 0...(round % 7 == 0 ? 300 : 90), using: &rng)
            while bytes.count < length { bytes += atoms[Int.random(in: 0..<atoms.count, using: &rng)] }
            let r1 = Int.random(in: 0..<anchor.count, using: &rng)
            let r2 = Int.random(in: 0..<anchor.count, using: &rng)
            let from = Int.random(in: 0...bytes.count, using: &rng)
            var expected = bytes.count
            if from <= bytes.count {
                for i in from..<max(from, bytes.count) where Self.anchorAt(bytes, i, anchor, caseless: caseless) {
                    expected = i
                    break
                }
            }
            let actual = bytes.withUnsafeBufferPointer { buffer in
                anchor.withUnsafeBufferPointer { a in
                    [1, 0].map { vector in
                        CPIIScan_findAnchor(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!, from, buffer.count,
                                            a.baseAddress!, anchor.count, caseless ? 1 : 0, r1, r2, Int32(vector))
                    }
                }
            }
            if expected < bytes.count { found += 1 }
            if actual != [expected, expected] {
                mismatches += 1
                if firstMismatch.isEmpty { firstMismatch = "round \(round): \(bytes.count) bytes from \(from), probes \(r1), \(r2)" }
            }
        }
        #expect(found > 500)
        #expect(mismatches == 0, "first mismatch: \(firstMismatch)")
    }

    /// An anchored prefilter must yield exactly the windows of the same claim without the anchor
    /// that hold an occurrence of it (at or after the start): those are the only windows a match
    /// can lie in, so any other difference is a leak or wasted work.
    @Test("anchored windows are the trigger windows that hold the anchor", arguments: 0..<4)
    func anchoredWindows(_ k: Int) throws {
        let definitions: [PrefilterDefinition] = [
            PrefilterDefinition(trigger: "\\-", minTriggers: 2, span: "A-Za-z0-9\\-", anchor: "-lf-"),
            PrefilterDefinition(trigger: "eE", span: "A-Za-z0-9_/+=:\"' \\-", spanUnicode: "list",
                                spanCodePoints: ["U+017F", "U+212A"], anchor: "ecret", anchorCaseless: true),
            PrefilterDefinition(trigger: "e", minTriggers: 2, span: "A-Za-z0-9_.\\-", anchor: "eyJ"),
            PrefilterDefinition(trigger: "\\-", minTriggers: 10, span: "A-Z0-9 \\-", anchor: "-----BEGIN "),
        ]
        var plainDefinition = definitions[k]
        plainDefinition.anchor = nil
        plainDefinition.anchorCaseless = nil
        let anchored = try Prefilter(definitions[k], patternID: "anchored")
        #expect(anchored.strategy == .anchorRuns)
        let plain = try Prefilter(plainDefinition, patternID: "plain")
        // The anchors above are written in lower case where caseless.
        let anchorBytes = Array((definitions[k].anchor ?? "").utf8)
        let caseless = definitions[k].anchorCaseless ?? false
        let atoms: [[UInt8]] = ["-lf-", "ecret", "ECReT", "eyJ", "-----BEGIN ", "-", "e", "E", "J", "a", "Z", "9",
                                "_", ".", " ", ":", "=", "\n", "\u{017F}", "\u{212A}", "é", "中"].map { Array($0.utf8) } + [[0xFF]]
        var rng = SplitMix64(seed: 0xA_0C41 &+ UInt64(k))
        var mismatches = 0
        var windows = 0
        var firstMismatch = ""
        for round in 0..<3000 {
            var bytes: [UInt8] = []
            let length = Int.random(in: 0...(round % 5 == 0 ? 600 : 150), using: &rng)
            while bytes.count < length { bytes += atoms[Int.random(in: 0..<atoms.count, using: &rng)] }
            let start = round % 3 == 0 ? 0 : Int.random(in: 0...bytes.count, using: &rng)
            let expected = Self.windows(plain, bytes, from: start).filter { w in
                (max(start, w[0])..<max(max(start, w[0]), w[1])).contains { i in
                    Self.anchorAt(bytes, i, anchorBytes, caseless: caseless) && i + anchorBytes.count <= w[1]
                }
            }
            let actual = Self.windows(anchored, bytes, from: start)
            windows += actual.count
            if actual != expected {
                mismatches += 1
                if firstMismatch.isEmpty { firstMismatch = "round \(round): \(bytes.count) bytes from \(start)" }
            }
        }
        #expect(windows > 100)
        #expect(mismatches == 0, "first mismatch: \(firstMismatch)")
    }

    @Test("anchors that break the claim are refused when the set is loaded")
    func anchorRules() {
        let bad: [PrefilterDefinition] = [
            // Does not start with a trigger.
            PrefilterDefinition(trigger: "\\-", span: "a-z\\-", anchor: "lf-"),
            // A byte outside the span.
            PrefilterDefinition(trigger: "\\-", span: "a-z\\-", anchor: "-l_"),
            // Caseless: upper case written, s or k (they fold to U+017F and U+212A), one case not a trigger.
            PrefilterDefinition(trigger: "eE", span: "A-Za-z", anchor: "eCret", anchorCaseless: true),
            PrefilterDefinition(trigger: "sS", span: "A-Za-z", anchor: "secret", anchorCaseless: true),
            PrefilterDefinition(trigger: "kK", span: "A-Za-z", anchor: "key", anchorCaseless: true),
            PrefilterDefinition(trigger: "e", span: "A-Za-z", anchor: "ecret", anchorCaseless: true),
            // Empty, non-ASCII.
            PrefilterDefinition(trigger: "e", span: "a-z", anchor: ""),
            PrefilterDefinition(trigger: "e", span: "a-z", anchor: "eé"),
        ]
        for (i, definition) in bad.enumerated() {
            #expect(throws: PIIScrubError.self, "case \(i)") { _ = try Prefilter(definition, patternID: "bad") }
        }
        #expect(throws: Never.self) {
            _ = try Prefilter(PrefilterDefinition(trigger: "eE", span: "A-Za-z", anchor: "ecret", anchorCaseless: true),
                              patternID: "good")
        }
    }

    @Test("a digit-run claim that an example contradicts is refused when the set is loaded")
    func digitRunRules() {
        func set(_ within: Int, run: Int = 9) throws -> PatternSet {
            try PatternSet(name: "t", definitions: [
                PatternDefinition(
                    id: "labelled", regex: "(?i:ssn|social security number)[ :]{0,2}[0-9]{9}", replacement: "[SSN]",
                    prefilter: PrefilterDefinition(trigger: "0-9", minTriggers: 9, span: "A-Za-z0-9 :", digitRun: run,
                                                   digitRunWithin: within),
                    examples: .init(match: ["SSN 123456789", "social security number: 123456789"])),
            ])
        }
        // The long label puts the digits 24 bytes after the match's start.
        #expect(throws: PIIScrubError.self) { _ = try set(23) }
        #expect(throws: PIIScrubError.self) { _ = try set(64, run: 10) }
        #expect(throws: PIIScrubError.self) { _ = try set(64, run: 0) }
        #expect(throws: Never.self) { _ = try set(24) }
    }

    @Test("a validLength claim that an example contradicts is refused when the set is loaded")
    func validLengthRules() {
        func set(_ length: Int?, unless: String?, alone: Int? = nil) throws -> PatternSet {
            try PatternSet(name: "t", definitions: [
                PatternDefinition(
                    id: "line", regex: "[A-Za-z0-9]*[0-9][A-Za-z0-9]*=?", replacement: "[K]",
                    prefilter: PrefilterDefinition(trigger: "0-9", span: "A-Za-z0-9=", validLength: length,
                                                   validLengthUnless: unless, validLengthUnlessAlone: alone),
                    examples: .init(match: [String(repeating: "aB3", count: 21) + "x", "aB3dE5=" ]),
                    validate: "base64-line"),
            ])
        }
        // The second example is 7 bytes: only its `=` excuses it.
        #expect(throws: PIIScrubError.self) { _ = try set(64, unless: nil) }
        #expect(throws: PIIScrubError.self) { _ = try set(64, unless: "+") }
        #expect(throws: PIIScrubError.self) { _ = try set(65, unless: "=") }
        #expect(throws: PIIScrubError.self) { _ = try set(64, unless: "==") }
        #expect(throws: PIIScrubError.self) { _ = try set(0, unless: "=") }
        #expect(throws: Never.self) { _ = try set(64, unless: "=") }
        #expect(throws: Never.self) { _ = try set(7, unless: nil) }
        // An example stands alone in its text: with validLengthUnlessAlone it may be shorter,
        // down to that length; the claim needs a validLength above it, and the length checks
        // still apply.
        #expect(throws: Never.self) { _ = try set(64, unless: nil, alone: 7) }
        #expect(throws: PIIScrubError.self) { _ = try set(64, unless: nil, alone: 8) }
        #expect(throws: PIIScrubError.self) { _ = try set(nil, unless: nil, alone: 7) }
        #expect(throws: PIIScrubError.self) { _ = try set(64, unless: nil, alone: 64) }
        #expect(throws: PIIScrubError.self) { _ = try set(64, unless: "==", alone: 7) }
        #expect(throws: PIIScrubError.self) { _ = try set(0, unless: nil, alone: 7) }
    }

    @Test("windows shorter than validLength are searched only when they hold its character or stand alone")
    func validLengthWindows() throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("default"))
        var exhaustive = Scrubber.Configuration()
        exhaustive.prefilter = false
        let reference = Scrubber(patternSet: scrubber.patternSet, configuration: exhaustive)
        let line = "MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"
        // Full lines, padded last lines (short), JSON-escaped lines, and tokens with four digits
        // that neither a full line nor padding makes a key line.
        // A last line without padding on a line of its own, or glued to other text (not alone);
        // JSON-escaped after a full line, before the block's end.
        let last = "Kq3x9Vb7Lm2Np8Rt4Wy6Zc1Df5Gh0Jk3"
        for text in ["k: \(line)", "k: b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==", "\"\\n\(line)\\n\"",
                     "id a1b2c3d4 x", "tok Ab1Cd2Ef3Gh4=", "v " + String(line.prefix(63)), "v " + line + "Q",
                     "\(line)\n\(last)\n-----END", "\(last)", "x\(last)", "\(last)-", "a,\(last);b", "a \(last)\n",
                     "\"\\n\(line)\\n\(last)\\n-----END PRIVATE KEY-----\""] {
            let same = scrubber.scrub(text) == reference.scrub(text)
            #expect(same, "text of \(text.utf8.count) bytes")
        }
        let redacted = scrubber.scrub("k: \(line)") != "k: \(line)"  // a Bool: a failure prints no text
        #expect(redacted)
        let lastRedacted = scrubber.scrub("\(line)\n\(last)\n") == "[PRIVATE-KEY]\n[PRIVATE-KEY]\n"
        #expect(lastRedacted)
        // Texts of 512 bytes and more go through the block gate, which marks runs of the
        // claim's 32 bytes: PEM bodies at every offset in a 64-byte block, with last lines of 28
        // to 48 characters, real and JSON-escaped (LF and CRLF) newlines.
        let short = ["Kq3x9Vb7Lm2Np8Rt4Wy6Zc1Df5Gh", last, last + "Ab3d", last + "Xy7zQw4eRt5yUi8o"]
        var redactedLast = 0
        for offset in 0..<64 {
            for end in short {
                let filler = String(repeating: "word ", count: 100) + String(repeating: "x", count: offset)
                for (newline, carriage) in [("\n", ""), ("\\n", ""), ("\\n", "\\r")] {
                    let body = [line, line, end].joined(separator: carriage + newline)
                    let text = filler + "\n-----BEGIN RSA PRIVATE KEY-----" + carriage + newline + body + carriage + newline
                        + "-----END RSA PRIVATE KEY-----\n" + filler
                    let same = scrubber.scrub(text) == reference.scrub(text)
                    #expect(same, "offset \(offset), last line of \(end.utf8.count)")
                    if !scrubber.scrub(text).contains(end) { redactedLast += 1 }
                }
            }
        }
        // 32 and more characters are taken in every form, 28 only escaped: 64 × (3 × 3 + 2).
        #expect(redactedLast == 64 * 11, "\(redactedLast)")
    }

    @Test("a case-sensitive anchor on a case-insensitive pattern is refused")
    func anchorCaseMustMatchPattern() {
        func load(_ regex: String, flags: [String]? = nil, caseless: Bool? = nil) throws -> PatternSet {
            try PatternSet(name: "t", definitions: [
                PatternDefinition(id: "jwt-ish", regex: regex, flags: flags, replacement: "[X]",
                                  prefilter: PrefilterDefinition(trigger: "eE", span: "A-Za-z0-9.",
                                                                 anchor: caseless == true ? "eyj" : "eyJ",
                                                                 anchorCaseless: caseless)),
            ])
        }
        #expect(throws: PIIScrubError.self) { _ = try load("eyJ[A-Za-z0-9]{8}", flags: ["caseless"]) }
        #expect(throws: PIIScrubError.self) { _ = try load("(?i)eyJ[A-Za-z0-9]{8}") }
        #expect(throws: PIIScrubError.self) { _ = try load("(?mi:eyJ)[A-Za-z0-9]{8}") }
        #expect(throws: Never.self) { _ = try load("eyJ[A-Za-z0-9]{8}") }
        #expect(throws: Never.self) { _ = try load("(?-i:eyJ)[A-Za-z0-9]{8}") }
        #expect(throws: Never.self) { _ = try load("(?i)eyJ[A-Za-z0-9]{8}", caseless: true) }
    }
}

