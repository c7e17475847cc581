import CPIIScan
import Foundation
@testable import PIIScrub
import PIIScrubTestSupport
import Testing

/// The block gate (``BlockGate``): its pass marks exactly the blocks its definition says, and a
/// gated scan of long text finds what PCRE2 searching every byte finds. A block it failed to mark
/// would hide a match: a leak.
@Suite("Block gate")
struct BlockGateTests {
    /// Prose, pattern examples, numbers and secrets cut at random places, so marks fall on every
    /// offset of a block and runs, chains and anchors straddle block ends.
    static func text(_ atoms: [[UInt8]], length: Int, using rng: inout SplitMix64) -> [UInt8] {
        let prose = Array("""
            The quick brown fox jumps over the lazy dog; version 1.2.3 came out in 2024, see \
            section 4.1 (page 12) and call-sign alpha_bravo. Ünïcödé テキスト и текст, ١٢٣ and \
            ４５６ too. x = 1; y == 2 && z != 3. https://example.com/a-b_c?d=e
            """.utf8)
        var bytes: [UInt8] = []
        while bytes.count < length {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0, 1:
                let from = Int.random(in: 0..<prose.count, using: &rng)
                bytes += prose[from..<min(prose.count, from + Int.random(in: 1...200, using: &rng))]
            case 2:
                let atom = atoms[Int.random(in: 0..<atoms.count, using: &rng)]
                bytes += atom.prefix(Int.random(in: atom.count / 2...atom.count, using: &rng))
            case 3:
                bytes += atoms[Int.random(in: 0..<atoms.count, using: &rng)]
            default:
                for _ in 0..<Int.random(in: 1...40, using: &rng) {
                    bytes.append(Array("0123456789-_=+/ .:AzBe\u{80}\u{D9}".utf8).randomElement(using: &rng)!)
                }
            }
        }
        return bytes
    }

    static func atoms(_ set: PatternSet) -> [[UInt8]] {
        var atoms: [[UInt8]] = []
        for pattern in set.patterns {
            for example in pattern.definition.examples?.match ?? [] { atoms.append(Array(example.utf8)) }
        }
        return atoms
    }

    /// Whether a vector pass (the AVX2 one and the AVX-512 one, each where the CPU runs it) or the
    /// portable pass gives `bytes` other words than `expected`.
    static func passesDiffer(_ bytes: [UInt8], _ tables: CPIIScan_GateTables,
                             from expected: [UInt32]) -> (vector: Bool, portable: Bool) {
        var portable = [UInt32](repeating: 0xDEAD, count: expected.count)
        var vectorDiffers = false
        bytes.withUnsafeBufferPointer { p in
            withUnsafePointer(to: tables) { t in
                CPIIScan_gateBlocksPortable(p.baseAddress, p.count, t, &portable)
                for level: Int32 in [1, 2] {
                    var vector = [UInt32](repeating: 0xDEAD, count: expected.count)
                    if CPIIScan_gateBlocksWith(p.baseAddress, p.count, t, &vector, level) != 0 && vector != expected {
                        vectorDiffers = true
                    }
                }
            }
        }
        return (vectorDiffers, portable != expected)
    }

    /// The words by the definition in `CPIIScan.h`, written plainly.
    static func referenceWords(_ p: [UInt8], _ t: CPIIScan_GateTables) -> [UInt32] {
        let n = p.count
        func bytes<T>(_ value: T, _ i: Int) -> UInt8 { withUnsafeBytes(of: value) { $0[i] } }
        func isDigit(_ i: Int) -> Bool { i < n && p[i] &- 0x30 < 10 }
        func inSet(_ table: (Int) -> UInt8, _ i: Int) -> Bool {
            i < n && p[i] < 0x80 && (table(Int(p[i] & 15)) >> (p[i] >> 4)) & 1 != 0
        }
        let anchors: [UnsafePointer<UInt8>?] = withUnsafeBytes(of: t.anchor) { Array($0.bindMemory(to: UnsafePointer<UInt8>?.self)) }
        var words: [UInt32] = []
        for block in stride(from: 0, to: n, by: 64) {
            var word: UInt32 = 0
            for i in block..<min(n, block + 64) {
                word |= UInt32(bytes(t.low, Int(p[i] & 15)) & bytes(t.high, Int(p[i] >> 4)))
                let k = Int(t.digitRun)
                if k > 0 && (i..<i + k).allSatisfy(isDigit) { word |= 1 << 8 }
                for c in 0..<Int(t.chainCount) where isDigit(i) {
                    let length = Int(bytes(t.chainLength, c)), gap = Int(bytes(t.chainGap, c))
                    var at = i, count = 1
                    while count < length, let next = (at + 1...at + gap).first(where: isDigit) {
                        at = next
                        count += 1
                    }
                    if count == length { word |= 1 << (9 + UInt32(c)) }
                }
                for a in 0..<Int(t.anchorCount) {
                    let length = Int(bytes(t.anchorLength, a)), caseless = bytes(t.anchorCaseless, a) != 0
                    guard i + length <= n, let anchor = anchors[a] else { continue }
                    if (0..<length).allSatisfy({ k in
                        caseless && anchor[k] &- 0x61 < 26 ? p[i + k] | 0x20 == anchor[k] : p[i + k] == anchor[k]
                    }) {
                        // Anchors 0-3 at bits 12-15, 4 and 5 at 20 and 21.
                        word |= 1 << UInt32(a < 4 ? 12 + a : 16 + a)
                    }
                }
                for r in 0..<Int(t.runCount) {
                    let length = Int(bytes(t.runLength, r))
                    let span = { bytes(t.runSpan, 16 * r + $0) }
                    func isTrigger(_ j: Int) -> Bool {
                        j < n && bytes(t.runTriggerLow, Int(p[j] & 15)) & bytes(t.runTriggerHigh, Int(p[j] >> 4))
                            & bytes(t.runTriggerBits, r) != 0
                    }
                    // With prefixes, a run starting here (no span byte before it) with one of them;
                    // without, any run of the length with a trigger near.
                    let prefixes = bytes(t.runStartBits, r)
                    let evidence = prefixes != 0
                        ? (i == 0 || !inSet(span, i - 1)) && i + 2 < n && (0..<3).reduce(prefixes) { bits, m in
                            p[i + m] < 0x80
                                ? bits & bytes(t.runStartLow, 16 * m + Int(p[i + m] & 15)) & bytes(t.runStartHigh, 16 * m + Int(p[i + m] >> 4))
                                : 0
                        } != 0
                        : (block..<block + 96).contains(where: isTrigger)
                    if evidence && (i..<i + length).allSatisfy({ inSet(span, $0) }) {
                        word |= 1 << (16 + UInt32(r))
                    }
                }
            }
            // A dotted quad's shape (digit, dot, digit at j, again 2 to 4 bytes on, and again) and
            // two digits after two bytes of the pair set, where no chain of the skip bits marked.
            if word & t.shapeSkipBits == 0 {
                func isDot(_ i: Int) -> Bool { i < n && p[i] == UInt8(ascii: ".") }
                func x(_ j: Int) -> Bool { isDigit(j) && isDot(j + 1) && isDigit(j + 2) }
                func y(_ j: Int) -> Bool { x(j) && (2...4).contains { x(j + $0) } }
                let pairSet = { bytes(t.digitPairAfterSet, $0) }
                for i in block..<min(n, block + 64) {
                    if t.dottedQuad != 0 && x(i) && (2...4).contains(where: { y(i + $0) }) {
                        word |= CPIIScan_GATE_DOTTED_BIT
                    }
                    if t.digitPairAfter != 0 && i > 1 && inSet(pairSet, i - 2) && inSet(pairSet, i - 1) && isDigit(i)
                        && isDigit(i + 1) {
                        word |= CPIIScan_GATE_PAIR_AFTER_BIT
                    }
                }
            }
            // The after-byte's buckets only with the byte before it in its set.
            let after = { bytes(t.afterSet, $0) }
            if !(block..<min(n, block + 64)).contains(where: { $0 > 0 && p[$0] == t.afterByte && inSet(after, $0 - 1) }) {
                word &= ~UInt32(t.afterBits)
            }
            words.append(word)
        }
        return words
    }

    @Test("each vector pass runs where the CPU has it, as /proc/cpuinfo says")
    func passLevels() throws {
        let flags = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("flags") }
            .map { Set($0.split(separator: " ").map(String.init)) } ?? []
        let avx2 = flags.isSuperset(of: ["avx2", "popcnt"])
        let wide = avx2 && flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512vbmi"])
        #expect((CPIIScan_hasVectorRunScan() != 0) == avx2)
        #expect((CPIIScan_hasWideVectors() != 0) == wide)
        let bytes = [UInt8](repeating: UInt8(ascii: "7"), count: 100)
        let set = try TestSets.load("default")
        let tables = try #require(set.engine.stages[0].gate)
        var words = [UInt32](repeating: 0, count: 2)
        for (level, expected) in [(Int32(1), avx2), (2, wide), (3, false), (0, false)] {
            let ran = CPIIScan_gateBlocksWith(bytes, bytes.count, tables, &words, level)
            #expect((ran != 0) == expected, "level \(level)")
        }
    }

    @Test("the vector pass, the portable one and the definition agree on the default set's tables")
    func passMatchesDefinition() throws {
        let set = try TestSets.load("default")
        let shipped = try #require(set.engine.stages[0].gate).pointee
        // Every kind of mark is in use; a second chain (the set has one) is added by hand.
        #expect(shipped.digitRun > 0 && shipped.chainCount == 1 && shipped.anchorCount == 8 && shipped.runCount == 4
            && shipped.afterBits != 0 && shipped.afterByte == UInt8(ascii: "="))
        // One span run marked by its starts (the vendor keys' and dashed MACs' prefixes), the
        // others by their triggers.
        #expect(withUnsafeBytes(of: shipped.runStartBits) { Array($0) }.filter { $0 != 0 }.count == 1)
        // The IPv4 patterns' dotted quads and the IBANs' country code and check digits, tested
        // where the phones' chain did not mark.
        #expect(shipped.dottedQuad != 0 && shipped.digitPairAfter != 0 && shipped.shapeSkipBits == 1 << 9)
        var twoChains = shipped
        twoChains.chainCount = 2
        withUnsafeMutableBytes(of: &twoChains.chainLength) { $0[1] = 3 }
        withUnsafeMutableBytes(of: &twoChains.chainGap) { $0[1] = 7 }
        let atoms = Self.atoms(set)
        var rng = SplitMix64(seed: 0x6A7E_0001)
        var differences = 0, portableDifferences = 0, marked = 0
        for round in 0..<300 {
            let tables = round % 2 == 0 ? shipped : twoChains
            let bytes = Self.text(atoms, length: Int.random(in: 0...(round % 10 == 0 ? 4000 : 700), using: &rng), using: &rng)
            let expected = Self.referenceWords(bytes, tables)
            let differ = Self.passesDiffer(bytes, tables, from: expected)
            if differ.vector { differences += 1 }
            if differ.portable { portableDifferences += 1 }
            marked += expected.filter { $0 != 0 }.count
        }
        #expect(differences == 0 && portableDifferences == 0, "\(differences) vector, \(portableDifferences) portable")
        #expect(marked > 500)
    }

    /// Runs of span bytes and of digits, and digits a few bytes apart, of lengths around `lengths`,
    /// between prose and separators, so runs and chains just long enough, and one byte short,
    /// fall on every offset of a block.
    static func runText(_ atoms: [[UInt8]], lengths: [Int], length: Int, using rng: inout SplitMix64) -> [UInt8] {
        let span = Array("abcXYZ0123456789-_+/=.".utf8), separators = Array(" ,;\n\u{80}".utf8)
        let keySpan = Array("abcXYZ0123456789-_".utf8)
        var bytes: [UInt8] = []
        while bytes.count < length {
            let count = max(1, lengths.randomElement(using: &rng)! + Int.random(in: -1...1, using: &rng))
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                // Half of them start with a prefix of the default set's runStart claims (or nearly)
                // and go on in the vendor keys' span.
                let prefixed = Bool.random(using: &rng)
                var run = (0..<count).map { _ in (prefixed ? keySpan : span).randomElement(using: &rng)! }
                if prefixed {
                    let prefix = Array(["sk-", "ghp", "glo", "xox", "ab-", "12-", "sk=", "hf_"].randomElement(using: &rng)!.utf8)
                    for (j, b) in prefix.enumerated() where j < run.count { run[j] = b }
                }
                bytes += run
            case 1:
                bytes += (0..<count).map { _ in UInt8.random(in: 0x30...0x39, using: &rng) }
            case 2:
                let gap = Int.random(in: 1...8, using: &rng)
                for _ in 0..<count {
                    bytes.append(UInt8.random(in: 0x30...0x39, using: &rng))
                    bytes += (0..<Int.random(in: 0..<gap, using: &rng)).map { _ in separators.randomElement(using: &rng)! }
                }
            default:
                bytes += Self.text(atoms, length: Int.random(in: 1...100, using: &rng), using: &rng)
            }
            bytes.append(separators.randomElement(using: &rng)!)
        }
        return bytes
    }

    /// The vector pass takes its run tests' shifts from the lengths once per text: every length
    /// of span runs and digit runs (the default set has 17, 20, 32 and 7), and chains of other
    /// lengths and gaps.
    @Test("the vector pass, the portable one and the definition agree on other lengths", arguments: [
        // Span-run lengths, digit run, chains (length, gap).
        ([2, 3, 5, 8], 1, [(2, 1), (3, 7)]),
        ([9, 16, 17, 31], 32, [(4, 4), (8, 4)]),
        ([32, 20, 1, 24], 2, [(5, 6), (16, 2)]),
        ([7, 12, 19, 32], 3, [(32, 1), (2, 16)]),
        ([15, 15, 15, 15], 16, [(3, 10), (1, 5)]),
        ([4, 6, 10, 25], 31, [(2, 3), (6, 5)]),
    ])
    func passMatchesDefinitionAtOtherLengths(_ runs: [Int], _ digitRun: Int, _ chains: [(Int, Int)]) throws {
        let set = try TestSets.load("default")
        var tables = try #require(set.engine.stages[0].gate).pointee
        withUnsafeMutableBytes(of: &tables.runLength) { for (k, length) in runs.enumerated() { $0[k] = UInt8(length) } }
        tables.digitRun = UInt8(digitRun)
        tables.chainCount = UInt8(chains.count)
        withUnsafeMutableBytes(of: &tables.chainLength) { for (k, chain) in chains.enumerated() { $0[k] = UInt8(chain.0) } }
        withUnsafeMutableBytes(of: &tables.chainGap) { for (k, chain) in chains.enumerated() { $0[k] = UInt8(chain.1) } }
        let atoms = Self.atoms(set)
        var rng = SplitMix64(seed: 0x6A7E_0004 &+ UInt64(runs[0] * 64 + digitRun))
        var differences = 0, portableDifferences = 0, blocks = 0, marked = [Int](repeating: 0, count: 32)
        for _ in 0..<60 {
            let bytes = Self.runText(atoms, lengths: runs + [digitRun] + chains.map(\.0),
                                     length: Int.random(in: 0...1500, using: &rng), using: &rng)
            let expected = Self.referenceWords(bytes, tables)
            let differ = Self.passesDiffer(bytes, tables, from: expected)
            if differ.vector { differences += 1 }
            if differ.portable { portableDifferences += 1 }
            blocks += expected.count
            for word in expected { for bit in 0..<32 where word & 1 << bit != 0 { marked[bit] += 1 } }
        }
        #expect(differences == 0 && portableDifferences == 0, "\(differences) vector, \(portableDifferences) portable")
        // Every run and chain marks blocks, and leaves others unmarked.
        for bit in [8, 9, 10, 16, 17, 18, 19] {
            #expect(marked[bit] > 10 && marked[bit] < blocks, "bit \(bit): \(marked[bit]) of \(blocks) blocks")
        }
    }

    @Test("anchors at every offset of a block, near block ends and the text's end")
    func anchorsAtEveryOffset() throws {
        // The set holds the anchors' bytes: kept to the end.
        let set = try TestSets.load("default")
        defer { withExtendedLifetime(set) {} }
        let shipped = try #require(set.engine.stages[0].gate).pointee
        // Anchors as short as a fingerprint, one of 32 bytes, both cases of caseless letters.
        let custom: [(String, Bool)] = [("zxq", false), ("abc", true), ("-lf-", false), ("the", true),
                                        ("uthorization", true), ("hooks.slack.com/services/0123456", false),
                                        ("Bearer", false), ("%40", false)]
        let stored = custom.map { anchor, _ in
            let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: anchor.utf8.count)
            bytes.initialize(from: Array(anchor.utf8), count: anchor.utf8.count)
            return bytes
        }
        defer { for bytes in stored { bytes.deallocate() } }
        var made = CPIIScan_GateTables()
        for (k, (anchor, caseless)) in custom.enumerated() {
            _ = try #require(BlockGate.addAnchor(stored[k], length: anchor.utf8.count, caseless: caseless, to: &made))
        }
        // Shorter anchors and a ninth are not gated.
        var full = made
        #expect(BlockGate.addAnchor(stored[0], length: 3, caseless: false, to: &full) == nil)
        var short = CPIIScan_GateTables()
        #expect(BlockGate.addAnchor(stored[0], length: 2, caseless: false, to: &short) == nil && short.anchorCount == 0)
        let filler = Array("the quick brown fox, 0123 -_/.:= \u{80}\u{D9}ABXYZ".utf8)
        var rng = SplitMix64(seed: 0x6A7E_0003)
        var differences = 0, portableDifferences = 0, planted = 0
        for tables in [shipped, made] {
            let anchors: [[UInt8]] = withUnsafeBytes(of: tables.anchor) { pointers in
                (0..<Int(tables.anchorCount)).map { a in
                    let length = withUnsafeBytes(of: tables.anchorLength) { Int($0[a]) }
                    return Array(UnsafeBufferPointer(start: pointers.load(fromByteOffset: 8 * a, as: UnsafePointer<UInt8>.self),
                                                     count: length))
                }
            }
            for a in anchors.indices {
                let caseless = withUnsafeBytes(of: tables.anchorCaseless) { $0[a] != 0 }
                for offset in 0..<200 {
                    // The anchor at `offset`, in texts that end right after it, a little later,
                    // or much later; a copy with one byte changed (its fingerprint may stay)
                    // before it.
                    for extra in [0, Int.random(in: 1...40, using: &rng), 300] {
                        var bytes = (0..<offset).map { _ in filler.randomElement(using: &rng)! }
                        var anchor = anchors[a].map { b in
                            caseless && b &- 0x61 < 26 && Bool.random(using: &rng) ? b - 0x20 : b
                        }
                        if offset >= anchor.count + 1 {
                            var broken = anchor
                            broken[Int.random(in: 0..<broken.count, using: &rng)] ^= 0x01
                            bytes.replaceSubrange(0..<broken.count, with: broken)
                        }
                        if Int.random(in: 0..<4, using: &rng) == 0 { anchor.removeLast() }
                        bytes += anchor
                        bytes += (0..<extra).map { _ in filler.randomElement(using: &rng)! }
                        let expected = Self.referenceWords(bytes, tables)
                        let differ = Self.passesDiffer(bytes, tables, from: expected)
                        if differ.vector { differences += 1 }
                        if differ.portable { portableDifferences += 1 }
                        if expected.contains(where: { $0 & CPIIScan_gateAnchorBit(UInt32(a)) != 0 }) { planted += 1 }
                    }
                }
            }
        }
        #expect(differences == 0 && portableDifferences == 0, "\(differences) vector, \(portableDifferences) portable")
        #expect(planted > 2 * 8 * 200 * 3 / 2)
    }

    @Test("an after-byte marks its block only right after a byte of its set, at every offset")
    func afterByteAtEveryOffset() throws {
        let set = try TestSets.load("default")
        let tables = try #require(set.engine.stages[0].gate).pointee
        let u = tables.afterByte
        let filler = Array("the quick brown fox jumps over the lazy dog, ".utf8)
        // Before the after-byte: span bytes of `private-key-line` (marks), and a space, the byte
        // itself, a non-ASCII byte and nothing (the text's start), which do not.
        let befores: [(byte: UInt8?, marks: Bool)] = [
            (UInt8(ascii: "a"), true), (UInt8(ascii: "7"), true), (UInt8(ascii: "/"), true), (UInt8(ascii: " "), false),
            (u, false), (0xC3, false), (nil, false),
        ]
        var differences = 0, wrong = 0, cases = 0
        for length in [70, 130, 200] {
            for at in 0..<length {
                for before in befores where (before.byte == nil) == (at == 0) {
                    var bytes = (0..<length).map { filler[$0 % filler.count] }
                    bytes[at] = u
                    if let b = before.byte { bytes[at - 1] = b }
                    // `==` after a space: the first one follows no byte of the set either.
                    if before.byte == u && at >= 2 { bytes[at - 2] = UInt8(ascii: " ") }
                    let expected = Self.referenceWords(bytes, tables)
                    let differ = Self.passesDiffer(bytes, tables, from: expected)
                    if differ.vector || differ.portable { differences += 1 }
                    // The definition itself: the after-byte's block has the bits exactly when the
                    // byte before it is in the set (other blocks never: the filler holds no such byte).
                    for (k, word) in expected.enumerated() {
                        let has = word & UInt32(tables.afterBits) == UInt32(tables.afterBits)
                        if has != (before.marks && k == at / 64) { wrong += 1 }
                    }
                    cases += 1
                }
            }
        }
        #expect(differences == 0 && wrong == 0, "\(differences) passes differ, \(wrong) words wrong, of \(cases)")
        #expect(cases == 3 + 397 * 6)
    }

    /// A PEM body's last line shorter than the gate's run (32) is marked only by its `=`; its
    /// digits, the group's triggers, may all lie in the block before. The stretch used to start
    /// at the `=`'s block, where the scan found no trigger to grow the window back from, so the
    /// line went through wherever its `=` fell in the first bytes of a block after its last
    /// digit (found by the `FuzzGate` target).
    @Test("a short padded base64 line is found wherever its `=` falls, its digits in the block before")
    func paddedLineAfterItsDigits() throws {
        let set = try TestSets.load("default")
        let fast = EngineConfiguration(jit: true, prefilter: true).scrubber(set)
        let exhaustive = EngineConfiguration(jit: true, prefilter: false).scrubber(set)
        let sentence = "The quick brown fox jumps over the lazy dog, as foxes do. "
        let prose = Array(String(repeating: sentence, count: 12).utf8)
        // Generated base64-shaped values, digits first: 30, 24 and 28 characters.
        let lines = ["208W5hOlhBTkZZb09uN0lMWHBiZQ==", "4711QmFzZTY0IGxhc3Rsa2U=", "90210c2hvcnQgYnV0IHBhZGRlZA="]
        var differences = 0, kept = 0, cases = 0
        for (k, line) in lines.enumerated() {
            let value = Array(line.utf8)
            #expect(exhaustive.scrub(Array(" \(line) ".utf8)) != Array(" \(line) ".utf8), "line \(k) is a match")
            for offset in 0..<128 {
                let text = Array(prose.prefix(400 + offset)) + [0x20] + value + [0x20] + prose
                let output = fast.scrub(text)
                if output != exhaustive.scrub(text) { differences += 1 }
                if output.firstRange(of: value) != nil { kept += 1 }
                cases += 1
            }
        }
        #expect(differences == 0 && kept == 0, "\(differences) texts differ, \(kept) kept the line, of \(cases)")
    }

    @Test("a run with a runStart prefix marks the block it starts in, at every offset, only after a byte outside its span")
    func runStartAtEveryOffset() throws {
        let set = try TestSets.load("default")
        let tables = try #require(set.engine.stages[0].gate).pointee
        let k = try #require(withUnsafeBytes(of: tables.runStartBits) { Array($0) }.firstIndex { $0 != 0 })
        let length = Int(withUnsafeBytes(of: tables.runLength) { $0[k] })
        let bit = UInt32(1) << (16 + UInt32(k))
        // Prose with hyphens and `snake_case`, but no run long enough: only the planted run marks.
        let filler = Array("the well-known fox, a pg_stat view; ".utf8)
        // The run: a prefix, then letters and digits to `length` bytes or one short. Before it:
        // a space, a non-ASCII byte and nothing (the text's start), which let it start there, and
        // a span byte, which does not (the run then starts one byte earlier, without a prefix).
        let befores: [(byte: UInt8?, marks: Bool)] = [
            (UInt8(ascii: " "), true), (0xC3, true), (nil, true), (UInt8(ascii: "x"), false), (UInt8(ascii: "-"), false),
        ]
        var differences = 0, wrong = 0, cases = 0
        for prefix in ["sk-", "AC-", "sk="] {
            // `sk=` is no prefix (and `=` no span byte): never a mark.
            let isPrefix = prefix != "sk="
            for runLength in [length - 1, length, length + 40] {
                for at in 0..<150 {
                    for before in befores where (before.byte == nil) == (at == 0) {
                        var bytes = (0..<(at + runLength + 30)).map { filler[$0 % filler.count] }
                        let body = Array("a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V2w3X4y5Z6a7B8c9D0".utf8)
                        for j in 0..<runLength { bytes[at + j] = j < 3 ? Array(prefix.utf8)[j] : body[j % body.count] }
                        bytes[at + runLength] = UInt8(ascii: " ")
                        if let b = before.byte { bytes[at - 1] = b }
                        if at >= 2 && before.byte != nil { bytes[at - 2] = UInt8(ascii: " ") }
                        let expected = Self.referenceWords(bytes, tables)
                        let differ = Self.passesDiffer(bytes, tables, from: expected)
                        if differ.vector || differ.portable { differences += 1 }
                        // The definition itself: the run's first block has the bit exactly when the
                        // run starts there with a prefix and is long enough; other blocks never.
                        let marks = before.marks && isPrefix && runLength >= length
                        for (w, word) in expected.enumerated() where (word & bit != 0) != (marks && w == at / 64) {
                            wrong += 1
                        }
                        cases += 1
                    }
                }
            }
        }
        #expect(differences == 0 && wrong == 0, "\(differences) passes differ, \(wrong) words wrong, of \(cases)")
        #expect(cases == 3 * 3 * (1 + 149 * 4))
    }

    @Test("dotted quads and digit pairs after two bytes of the set mark the block of their first digit, at every offset")
    func shapesAtEveryOffset() throws {
        let set = try TestSets.load("default")
        let shipped = try #require(set.engine.stages[0].gate).pointee
        var unskipped = shipped
        unskipped.shapeSkipBits = 0
        let filler = Array("the quick brown fox jumps over the lazy dog, ".utf8)
        let dotted = CPIIScan_GATE_DOTTED_BIT, pair = CPIIScan_GATE_PAIR_AFTER_BIT
        // What is planted, where its marking digit is, and which bit it sets (0: none).
        let plants: [(text: String, first: Int, bit: UInt32)] = [
            ("1.2.3.4", 0, dotted), ("10.200.3.45", 1, dotted), ("203.0.113.42", 2, dotted), ("//8.8.8.8/32", 2, dotted),
            ("1.2.3", 0, 0), ("1..2.3.4", 0, 0), ("1.2.3.x4", 0, 0), ("12.34-56.78", 0, 0),
            ("GB82", 2, pair), ("QA58 DOHB", 2, pair), ("gb82", 2, 0), ("G8x2", 1, 0), ("B 82", 2, 0), ("1B82", 2, 0),
            ("GB8x", 2, 0),
        ]
        var differences = 0, wrong = 0, cases = 0
        for plant in plants {
            let bytes = Array(plant.text.utf8)
            for at in 0..<150 {
                // Filler after the plant, a chain in its block too, or the text ending with it.
                for (chained, after) in [(false, 80), (true, 80), (false, 0)] {
                    var text = (0..<(at + bytes.count + after)).map { filler[$0 % filler.count] }
                    text.replaceSubrange(at..<at + bytes.count, with: bytes)
                    // A chain of the skip bit in the same block: the shape is then not tested.
                    let chainAt = (at + plant.first) / 64 * 64 + (at % 64 < 32 ? 48 : 8)
                    if chained { text.replaceSubrange(chainAt..<chainAt + 7, with: Array(" 123456".utf8)) }
                    for tables in [shipped, unskipped] {
                        let expected = Self.referenceWords(text, tables)
                        let differ = Self.passesDiffer(text, tables, from: expected)
                        if differ.vector || differ.portable { differences += 1 }
                        // The definition itself: the bit in the first digit's block only, unless a
                        // chain there skipped the test (the planted one, or the quad's own digits:
                        // `10.200.3.45` holds eight two bytes apart; planted over the shape: passes
                        // only).
                        let overlaps = chained && chainAt < at + bytes.count && at < chainAt + 7
                        for (w, word) in expected.enumerated() where !overlaps {
                            let skipped = word & tables.shapeSkipBits != 0
                            if chained && tables.shapeSkipBits != 0 && w == (at + plant.first) / 64 && !skipped { wrong += 1 }
                            let marks = plant.bit != 0 && !skipped && w == (at + plant.first) / 64
                            if (word & (dotted | pair) != 0) != marks { wrong += 1 }
                        }
                        cases += 1
                    }
                }
            }
        }
        #expect(differences == 0 && wrong == 0, "\(differences) passes differ, \(wrong) words wrong, of \(cases)")
        #expect(cases == 15 * 150 * 6)
    }

    /// Sparse text, as the gate is meant for: prose without digits or long tokens, and now and
    /// then an example of a pattern, numbers in other scripts' digits, or a stress atom.
    static func sparseText(_ atoms: [[UInt8]], length: Int, using rng: inout SplitMix64) -> [UInt8] {
        let prose = Array("""
            The quick brown fox jumps over the lazy dog; see the section on options (page ten) and             the call-sign alpha_bravo. Ünïcödé テキスト и текст. x = one; y == two && z != three.             Mail me at home, or call; key: value, "quoted" text.

            """.utf8)
        let extra = [
            "+\u{0664}\u{0664} \u{0662}\u{0660} \u{0667}\u{0669}\u{0664}\u{0666} \u{0660}\u{0669}\u{0665}\u{0668}",
            "\u{FF14}\u{FF11}\u{FF15}-\u{FF15}\u{FF15}\u{FF15}-\u{FF10}\u{FF11}\u{FF13}\u{FF12}",
            "\u{0967}\u{0968}\u{0969}-\u{096A}\u{096B}-\u{096C}\u{096D}\u{096E}\u{096F}",
        ].map { Array($0.utf8) }
        var bytes: [UInt8] = []
        while bytes.count < length {
            let from = Int.random(in: 0..<prose.count, using: &rng)
            bytes += prose[from..<min(prose.count, from + Int.random(in: 20...400, using: &rng))]
            if Int.random(in: 0..<3, using: &rng) == 0 {
                let pool = Int.random(in: 0..<4, using: &rng) == 0 ? extra : atoms
                let atom = pool[Int.random(in: 0..<pool.count, using: &rng)]
                bytes += Int.random(in: 0..<4, using: &rng) == 0
                    ? Array(atom.prefix(Int.random(in: 0...atom.count, using: &rng))) : atom
            }
        }
        return bytes
    }

    /// How many of the stage's gated groups scan stretches of `bytes` rather than the whole text
    /// (marked in at most one block in their dense share): a gated test that counts none tested
    /// no gate.
    static func sparseGroupScans(_ bytes: [UInt8], _ stage: StagePlan) -> Int {
        guard let gate = stage.gate else { return 0 }
        var words = [UInt32](repeating: 0, count: (bytes.count + 63) / 64)
        guard bytes.withUnsafeBufferPointer({ CPIIScan_gateBlocks($0.baseAddress, $0.count, gate, &words) }) != 0 else {
            return 0
        }
        return stage.groups.filter { group in
            group.gateMask != 0
                && CPIIScan_countGateBlocks(words, nil, words.count, group.gateMask) * group.gateDenseShare <= words.count
        }.count
    }

    @Test("gated scans of long text equal PCRE2 alone", arguments: ["default", "seed"])
    func gatedScanHidesNothing(_ name: String) throws {
        let set = try TestSets.load(name)
        let atoms = Self.atoms(set)
        let fast = EngineConfiguration(jit: true, prefilter: true).scrubber(set)
        let exhaustive = EngineConfiguration(jit: true, prefilter: false).scrubber(set)
        let stage = set.engine.stages[0]
        var rng = SplitMix64(seed: 0x6A7E_0002 &+ UInt64(name.utf8.count))
        var differences = 0, firstRound = -1, changed = 0, sparseGroups = 0
        for round in 0..<150 {
            let bytes = round % 2 == 0
                ? Self.sparseText(atoms, length: Int.random(in: BlockGate.minimumLength...8000, using: &rng), using: &rng)
                : Self.text(atoms, length: Int.random(in: BlockGate.minimumLength...5000, using: &rng), using: &rng)
            let output = fast.scrub(bytes)
            if output != bytes { changed += 1 }
            if output != exhaustive.scrub(bytes) {
                differences += 1
                if firstRound < 0 { firstRound = round }
            }
            sparseGroups += Self.sparseGroupScans(bytes, stage)
        }
        // Rounds and counts only: reproduce with the seed and the round number.
        #expect(differences == 0, "\(name): \(differences) texts differ, first in round \(firstRound)")
        #expect(changed > 60)
        if name == "default" { #expect(sparseGroups > 150 * 5, "\(sparseGroups) gated group scans") }
    }

    /// The labelled corpora's texts (thousands of generated values: every phone region, card
    /// grouping, IBAN country, secret vendor, in many kinds of context) are at most 459 bytes, so
    /// the recall figures measured on them never ran the gate. Here they go into long text in
    /// three layouts: records joined; records between stretches of prose (so the groups scan
    /// stretches); and each labelled value alone between stretches of prose with up to 24 bytes
    /// of its record before it and 8 after (its label, not its neighbours' digits, which would
    /// mark its block for it). A claim that is false for some real format shows as a difference
    /// from PCRE2 alone.
    @Test("gated scans of the labelled corpora in long text equal PCRE2 alone",
          arguments: ["eval-default.jsonl", "holdout-default.jsonl", "labelled-small.jsonl"])
    func corporaInLongText(_ name: String) throws {
        let set = try TestSets.load("default")
        let fast = EngineConfiguration(jit: true, prefilter: true).scrubber(set)
        let exhaustive = EngineConfiguration(jit: true, prefilter: false).scrubber(set)
        let stage = set.engine.stages[0]
        let corpus = try DefaultSetTests.loadCorpus(name)
        let records = corpus.map { Array($0.text.utf8) }
        var values: [[UInt8]] = []
        for (record, text) in zip(corpus, records) {
            for (_, value) in record.pii {
                let v = Array(value.utf8)
                guard !v.isEmpty, let at = text.firstRange(of: v) else { continue }
                values.append(Array(text[max(0, at.lowerBound - 24)..<min(text.count, at.upperBound + 8)]))
            }
        }
        #expect(records.count >= 300 && values.count >= records.count)
        let prose = Array("""
            The quick brown fox jumps over the lazy dog; see the section on options (page ten) and \
            the call-sign alpha_bravo. Ünïcödé テキスト и текст. x = one; y == two && z != three.
            """.utf8)
        let separators: [[UInt8]] = ["\n", " ", "\t", " and ", "\\n", "; "].map { Array($0.utf8) }
        var rng = SplitMix64(seed: 0x6A7E_0005 &+ UInt64(records.count))
        var texts = 0, differences = 0, firstText = -1, changed = 0, sparseGroups = 0
        for layout in 0..<3 {
            let atoms = layout == 2 ? values : records
            var next = 0
            while next < atoms.count {
                var bytes = Array(prose.prefix(Int.random(in: 0..<64, using: &rng)))
                let length = Int.random(in: BlockGate.minimumLength...(layout == 0 ? 3000 : 12_000), using: &rng)
                while bytes.count < length && next < atoms.count {
                    bytes += atoms[next]
                    next += 1
                    bytes += separators[Int.random(in: 0..<separators.count, using: &rng)]
                    if layout > 0 {
                        for _ in 0..<Int.random(in: 1...6, using: &rng) { bytes += prose }
                    }
                }
                if bytes.count < BlockGate.minimumLength { bytes += prose + prose + prose + prose }
                let output = fast.scrub(bytes)
                if output != bytes { changed += 1 }
                if output != exhaustive.scrub(bytes) {
                    differences += 1
                    if firstText < 0 { firstText = texts }
                }
                sparseGroups += Self.sparseGroupScans(bytes, stage)
                texts += 1
            }
        }
        // Counts and the text's number only (the corpora hold PII-shaped values).
        #expect(differences == 0, "\(name): \(differences) of \(texts) texts differ, first text \(firstText)")
        #expect(changed * 10 > texts * 9 && sparseGroups > texts,
                "\(changed) of \(texts) changed, \(sparseGroups) sparse group scans")
    }

    /// The IBANs' and IPv4 patterns' claims before these marks (a chain of four digits four bytes
    /// apart) were wrong for IBANs whose account holds letters: in text long enough for the gate,
    /// these two went through (a registered format: Qatar's account is 21 letters or digits).
    @Test("IBANs with letters between their digits and IPv4 addresses of small octets in long text")
    func shapesInLongText() throws {
        let set = try TestSets.load("default")
        let fast = EngineConfiguration(jit: true, prefilter: true).scrubber(set)
        let exhaustive = EngineConfiguration(jit: true, prefilter: false).scrubber(set)
        let prose = String(repeating: "The quick brown fox jumps over the lazy dog while nobody watches. ", count: 12)
        let cases = [
            ("QA92DOHB1BCDE2FGHJ3KLMN4PQRS5", "[IBAN]"), ("QA58 DOHB A1BC D2EF G3HJ K4LM N5PQ R", "[IBAN]"),
            ("GB82 WEST 1234 5698 7654 32", "[IBAN]"), ("IP 8.8.8.8", "IP [IP]"), ("http://10.0.0.1/x", "http://[IP]/x"),
            ("10.0.0.8:443", "[IP]:443"), ("203.0.113.42", "[IP]"), ("version 1.2.3.4", "version 1.2.3.4"),
        ]
        for (k, (value, expected)) in cases.enumerated() {
            let text = Array((prose + value + " and " + prose).utf8)
            let output = fast.scrub(text)
            // Case numbers only: the values are PII-shaped.
            let same = output == exhaustive.scrub(text), right = output == Array((prose + expected + " and " + prose).utf8)
            #expect(same && right, "case \(k)")
        }
    }

    /// `shapeSkipBits` lets the shape tests pass over a block a chain marked only when every group
    /// that takes shapes is marked by that chain: with two digit groups of different chains, none.
    @Test("two groups with chains and shapes: no skipping, and gated scans equal PCRE2 alone")
    func shapeSkipWithTwoGroups() throws {
        let chainQuad = PrefilterDefinition(trigger: "0-9", minTriggers: 4, span: "0-9 .", digitChain: [6, 4])
        var quad = chainQuad
        quad.digitChain = nil
        quad.dottedQuad = true
        let pair = PrefilterDefinition(trigger: "0-9", minTriggers: 2, span: "0-9A-Z", digitPairAfter: "A-Z")
        var chain = pair
        chain.digitPairAfter = nil
        chain.digitChain = [5, 1]
        let definitions = [
            PatternDefinition(id: "six", regex: "(?<![0-9])[0-9]{3} [0-9]{3}(?![0-9])", replacement: "[SIX]", priority: 1,
                              prefilter: chainQuad, examples: .init(match: ["123 456"])),
            PatternDefinition(id: "quad", regex: "(?<![0-9.])[0-9]{1,3}(?:\\.[0-9]{1,3}){3}(?![0-9])", replacement: "[QUAD]",
                              priority: 2, prefilter: quad, examples: .init(match: ["1.2.3.4"])),
            PatternDefinition(id: "head", regex: "(?<![A-Z0-9])[A-Z]{2}[0-9]{2}[A-Z0-9]{4}(?![A-Z0-9])", replacement: "[HEAD]",
                              priority: 3, prefilter: pair, examples: .init(match: ["GB82WEST"])),
            PatternDefinition(id: "five", regex: "(?<![A-Z0-9])[0-9]{5}(?![A-Z0-9])", replacement: "[FIVE]", priority: 4,
                              prefilter: chain, examples: .init(match: ["12345"])),
        ]
        let set = try PatternSet(name: "two-groups", definitions: definitions)
        let stage = set.engine.stages[0]
        let tables = try #require(stage.gate).pointee
        #expect(tables.chainCount == 2 && tables.dottedQuad != 0 && tables.digitPairAfter != 0)
        #expect(tables.shapeSkipBits == 0)
        #expect(stage.groups.filter { $0.gateMask != 0 }.count == 2)
        let fast = EngineConfiguration(jit: true, prefilter: true).scrubber(set)
        let exhaustive = EngineConfiguration(jit: true, prefilter: false).scrubber(set)
        let filler = Array("the quick brown fox jumps over the lazy dog, ".utf8)
        let atoms = ["123 456", "1.2.3.4", "GB82WEST", "12345", "10.0.0.1", "AB12CDEF"].map { Array($0.utf8) }
        var rng = SplitMix64(seed: 0x6A7E_0022)
        var differences = 0, changed = 0
        var sparse = 0
        for _ in 0..<200 {
            // Sparse, so the groups scan stretches (a group marked in more than one block in
            // eight is scanned whole).
            var bytes: [UInt8] = []
            while bytes.count < 4000 {
                bytes += filler.prefix(Int.random(in: 1...filler.count, using: &rng))
                if Int.random(in: 0..<40, using: &rng) == 0 { bytes += atoms.randomElement(using: &rng)! + [0x20] }
            }
            sparse += Self.sparseGroupScans(bytes, stage)
            let output = fast.scrub(bytes)
            if output != bytes { changed += 1 }
            if output != exhaustive.scrub(bytes) { differences += 1 }
        }
        #expect(differences == 0 && changed > 150 && sparse > 300, "\(differences) texts differ, \(changed) changed, \(sparse) sparse")
    }

    @Test("gated groups of the default set")
    func defaultSetGroups() throws {
        let set = try TestSets.load("default")
        let stage = set.engine.stages[0]
        var gated: [String] = []
        for group in stage.groups where group.gateMask != 0 {
            gated.append(set.patterns[group.patterns[0]].id)
        }
        // The digit (named by its first pattern, `iban`), labelled-number, anchored, trigger-literal
        // and long-token groups, the `@` and `%` groups by their byte (scanned whole unless it is
        // rare); not the `:` and `.` pair groups.
        #expect(gated.contains("iban") && gated.contains("us-ssn-labelled") && gated.contains("jwt")
            && gated.contains("api-key") && gated.contains("private-key-line-escaped") && gated.contains("aws-access-key-id")
            && gated.contains("authorization-credentials") && gated.contains("authorization-header"))
        #expect(!gated.contains("ipv6") && !gated.contains("mac-address-dotted"))
        var byByte: [String] = []
        for group in stage.groups where group.gateDenseShare == BlockGate.byteDenseShare {
            #expect(group.gateMask & ~0xFF == 0, "a byte group's marks are buckets")
            byByte.append(set.patterns[group.patterns[0]].id)
        }
        #expect(Set(byByte) == ["url-credentials", "email-json-escaped", "email-percent-encoded"], "\(byByte)")
    }

    @Test("the summary of the gate words skips only words without the mask")
    func summarySkipsNothingMarked() {
        var rng = SplitMix64(seed: 0x6A7E_0004)
        var differences = 0, found = 0
        for round in 0..<300 {
            let count = Int.random(in: 0...(round % 5 == 0 ? 3000 : 400), using: &rng)
            // Sparse marks, so most summary words lack a given bit and whole chunks are skipped.
            let density = Int.random(in: 1...300, using: &rng)
            let words: [UInt32] = (0..<count).map { _ in
                Int.random(in: 0..<density, using: &rng) == 0 ? 1 << UInt32.random(in: 0..<24, using: &rng) : 0
            }
            var summary = [UInt32](repeating: 0xDEAD, count: (count + 63) / 64)
            CPIIScan_summarizeGateWords(words, count, &summary)
            for _ in 0..<10 {
                let mask = UInt32.random(in: 1...0xFF_FFFF, using: &rng) & UInt32.random(in: 1...0xFF_FFFF, using: &rng)
                let from = Int.random(in: 0...count, using: &rng)
                let end = Int.random(in: from...count, using: &rng)
                let next = (from..<end).first { words[$0] & mask != 0 } ?? end
                let marked = words.filter { $0 & mask != 0 }.count
                if next < end { found += 1 }
                if CPIIScan_nextGateBlock(words, summary, from, end, mask) != next
                    || CPIIScan_nextGateBlock(words, nil, from, end, mask) != next
                    || CPIIScan_countGateBlocks(words, summary, count, mask) != marked
                    || CPIIScan_countGateBlocks(words, nil, count, mask) != marked {
                    differences += 1
                }
            }
        }
        #expect(differences == 0)
        #expect(found > 300, "\(found) searches found a marked word")
    }

    @Test("a short example must hold validLengthUnless right after another byte")
    func validLengthUnlessLoadCheck() throws {
        func load(_ example: String) throws {
            let definition = PatternDefinition(
                id: "t", regex: "[A-Za-z=]{0,9}[0-9]{4}[A-Za-z]{0,40}={0,2}", replacement: "[T]",
                prefilter: PrefilterDefinition(trigger: "0-9", minTriggers: 4, span: "A-Za-z0-9=", validLength: 40,
                                               validLengthUnless: "="),
                examples: .init(match: [example]))
            _ = try PatternSet(name: "t", definitions: [definition])
        }
        try load("ab1234cd==")
        try load("a=1234")
        try load(String(repeating: "x", count: 36) + "1234")
        #expect(throws: PIIScrubError.self) { try load("ab1234cd") }
        #expect(throws: PIIScrubError.self) { try load("=1234") }
        #expect(throws: PIIScrubError.self) { try load("==1234") }
    }

    @Test("dottedQuad and digitPairAfter claims are checked when a set is loaded")
    func shapeClaimLoadCheck() throws {
        func load(quad: Bool? = nil, pair: String? = nil, caseless: Bool = false, example: String) throws {
            let definition = PatternDefinition(
                id: "t", regex: "[A-Z]?[0-9. ]{4,20}", flags: caseless ? ["caseless"] : nil, replacement: "[T]",
                prefilter: PrefilterDefinition(trigger: "0-9", minTriggers: 2, span: "0-9A-Z. ", dottedQuad: quad,
                                               digitPairAfter: pair),
                examples: .init(match: [example]))
            _ = try PatternSet(name: "t", definitions: [definition])
        }
        try load(quad: true, example: "10.0.0.1")
        try load(quad: true, example: "1.2.3.4.5")
        #expect(throws: PIIScrubError.self) { try load(quad: true, example: "10.0.0") }
        #expect(throws: PIIScrubError.self) { try load(quad: true, example: "1000.0.0.1") }
        #expect(throws: PIIScrubError.self) { try load(quad: true, example: "1.2. 3.4") }
        try load(pair: "A-Z", example: "GB82 1")
        #expect(throws: PIIScrubError.self) { try load(pair: "A-Z", example: "GB8 21") }
        #expect(throws: PIIScrubError.self) { try load(pair: "A-Z", example: "1B82") }
        #expect(throws: PIIScrubError.self) { try load(pair: "A-Z", example: "82") }
        #expect(throws: PIIScrubError.self) { try load(pair: "0-9A-Z", example: "GB82") }
        #expect(throws: PIIScrubError.self) { try load(pair: "", example: "GB82") }
        #expect(throws: PIIScrubError.self) { try load(pair: "A-Z", caseless: true, example: "GB82") }
    }

    @Test("digitChain claims are checked when a set is loaded")
    func digitChainLoadCheck() throws {
        func load(_ chain: [Int], example: String) throws {
            let definition = PatternDefinition(
                id: "t", regex: "[0-9](?:[ ]?[0-9]){3}", replacement: "[T]",
                prefilter: PrefilterDefinition(trigger: "0-9", minTriggers: 4, span: "0-9 ", digitChain: chain),
                examples: .init(match: [example]))
            _ = try PatternSet(name: "t", definitions: [definition])
        }
        try load([4, 2], example: "1 2 3 4")
        #expect(throws: PIIScrubError.self) { try load([4, 1], example: "1 2 3 4") }
        #expect(throws: PIIScrubError.self) { try load([1, 1], example: "1234") }
        #expect(throws: PIIScrubError.self) { try load([8, 5], example: "1234") }
        #expect(throws: PIIScrubError.self) { try load([4], example: "1234") }
    }
}
