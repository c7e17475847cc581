internal import CPIIScan

/// Which 64-byte blocks of a long text may hold a window of each gated scan group of a stage,
/// marked for all of them at once (``CPIIScan_gateBlocks``: one vector pass), so each such
/// group's own scan runs only over the stretches around its marked blocks instead of over the
/// whole text.
///
/// Before this, each of the default set's sixteen scan groups made its own pass over every byte
/// (anchor searches, class and long-run scans), and those passes were most of clean text's cost.
///
/// ## What marks a block
/// Each gated group is marked by one kind of evidence, taken from its prefilter claims:
/// - an anchored group (``PrefilterDefinition/anchor``): an occurrence of its anchor;
/// - a byte-trigger group whose trigger must start one of its trigger literals
///   (``PrefilterDefinition/requires``: `Bearer`, `Basic`): an occurrence of one, each an anchor;
/// - a group whose patterns each claim ``PrefilterDefinition/digitChain``,
///   ``PrefilterDefinition/dottedQuad`` or ``PrefilterDefinition/digitPairAfter``: one of those
///   chains, the start of a dotted quad, two digits after two bytes of the pair class, or a lead
///   byte of a non-ASCII digit. The quads and pairs are tested only in blocks that no chain of
///   the group marked (``CPIIScan_GateTables/shapeSkipBits``: dense text's blocks mostly have
///   one). The IBANs and IPv4 addresses claimed a chain of four digits four bytes apart before,
///   which every year of prose makes (4.8 % of clean text's blocks; with their own evidence and
///   the phones', cards' and SSNs' chain of six, 1.9 %), and which an IBAN whose account holds
///   letters (`QA92DOHB1BCDE2FGHJ3KLMN4PQRS5`) does not: it went through in long text;
/// - a group with digit-run windows (``PrefilterCore/digitRunLength``): such a run;
/// - a group with an ASCII, space-free span whose windows must be at least 8 bytes long
///   (``PrefilterDefinition/validLength`` counts where every pattern has it, or the shorter
///   ``PrefilterDefinition/validLengthUnlessAlone``): a run of span bytes
///   that long (32 for longer ones) with a trigger byte within 96 bytes of the block's start, or
///   a byte of ``PrefilterDefinition/validLengthUnless``; where every pattern of the group
///   claims ``PrefilterDefinition/runStart`` (eight prefixes in all), a run that long starting
///   in the block with a prefix, after a byte outside the span, trigger or not.
///   The claim is the better evidence where it holds: `api-key` and `mac-address-dashed` shared
///   a span run that lines of dashes, `snake_case` names and hyphenated words made in 3 % of clean
///   text's blocks (their scan and windows took 11 ms of 64 MiB; by the prefixes, none).
///   A stretch from the block where such a run starts holds it whole (it ends past the run).
/// - a group whose windows each hold its single trigger byte (`@`, `%`), where a bucket is left:
///   that byte (scanned whole unless rare, ``byteDenseShare``).
/// Other groups (the `:` and `.` pairs, spans with a space) keep their own scans: the pair
/// search costs less than a gate there (measured: gating the pair groups doubled their cost).
///
/// ## Why a stretch holds every window the full scan would find
/// Every window that can hold a kept match holds such evidence, so it meets a marked block. A
/// stretch starts at a marked block (less ``lookBack`` for digit-run windows, which start up to
/// that far before their run, and for windows marked by a `validLengthUnless` byte alone, whose
/// triggers may lie up to the run's length before it) and ends at the first ASCII byte outside
/// the group's span after its last marked block: no window crosses such a byte, so each window
/// meeting the marked blocks lies inside the stretch. The scans grow a window back from its
/// trigger themselves, and cannot grow into the previous stretch, which ended at such a byte.
/// The group's scan from the stretch's start, with the stretch's end as the buffer's end, finds
/// those windows as it would have in the whole text (``Scrubber`` judges a window's context by
/// the real end). The text between stretches holds no evidence, so the full scan would have
/// found no window there that holds a kept match.
///
/// A group marked in more than one block in ``denseShare`` (``byteDenseShare`` for a trigger
/// byte) is scanned whole: its evidence is common in the text at hand, and starting a stretch
/// costs more than scanning a short gap.
/// Texts shorter than ``minimumLength`` and CPUs without AVX2 are scanned without the gate.
struct BlockGate {
    /// The tables of the pass.
    let tables: CPIIScan_GateTables
    /// Per group of the stage, in order: the bits of its marks in a block's word; 0 for a group
    /// that is not gated.
    let masks: [UInt32]
    /// Per group: how far before a marked block its stretch starts: ``digitRunWithin`` for
    /// digit-run windows (which start that far before their run), the run length for a group
    /// marked by a `validLengthUnless` byte (a window's triggers may lie that far before it),
    /// else 0.
    let lookBack: [Int]
    /// Per group: it is scanned whole when marked in more than one block in this many
    /// (``denseShare``, or ``byteDenseShare``).
    let denseShares: [Int]

    /// Texts shorter than this are scanned without the gate: the pass costs more than it saves
    /// on short strings (the JSON walk's keys and values).
    static let minimumLength = 512

    /// A group marked in more than one block in this many is scanned whole (its trigger is
    /// common in the text at hand: the stretches would cover most of it).
    static let denseShare = 8

    /// ``denseShare`` for a group marked by its single trigger byte: `memchr` over the whole text
    /// beats stretches unless the byte is rare (clean text's `@` is in 0.8 % of blocks, dense
    /// text's in 7 %: measured, gated it took 3 % more time there).
    static let byteDenseShare = 32

    /// Stretches closer than this many blocks are scanned as one (``nextGateStretch``).
    static let mergeBlocks = 4

    /// The gate for a stage's groups; nil when no group can be gated. `patterns` are the set's,
    /// by index.
    init?(groups: [ScanGroup], patterns: [Pattern]) {
        var tables = CPIIScan_GateTables()
        var buckets = BucketTable()
        var triggerBuckets = BucketTable()
        var masks = [UInt32](repeating: 0, count: groups.count)
        var lookBack = [Int](repeating: 0, count: groups.count)
        var denseShares = [Int](repeating: Self.denseShare, count: groups.count)
        var chains: [[Int]] = []
        var prefixes: [[Set<UInt8>]] = []
        for g in groups.indices {
            (masks[g], lookBack[g]) = Self.plan(groups[g], patterns: patterns, tables: &tables, chains: &chains,
                                                prefixes: &prefixes, buckets: &buckets, triggerBuckets: &triggerBuckets)
        }
        // Then the groups left whose windows each hold a single trigger byte (`@`, `%`): a bucket
        // of the byte where one is free. `memchr` finds a byte at a fraction of a gate's cost
        // per byte, so these are gated only where the byte is rare (``byteDenseShare``).
        for g in groups.indices where masks[g] == 0 {
            guard let core = groups[g].prefilter?.core, core.strategy == .byteTriggerRuns,
                  let bits = buckets.bits([core.triggerByte]) else { continue }
            masks[g] = bits
            denseShares[g] = Self.byteDenseShare
        }
        guard masks.contains(where: { $0 != 0 }) else { return nil }
        // The dotted-quad and digit-pair tests may pass over a block a chain marked when every
        // group they serve is marked by that chain (dense text: most blocks).
        let shapeBits = CPIIScan_GATE_DOTTED_BIT | CPIIScan_GATE_PAIR_AFTER_BIT
        tables.shapeSkipBits = masks.filter { $0 & shapeBits != 0 }
            .reduce(chains.indices.reduce(UInt32(0)) { $0 | 1 << (9 + UInt32($1)) }) { $0 & $1 }
        // The passes test the skip bits before a block's other marks are in its word: chain bits only.
        assert(tables.shapeSkipBits & ~(UInt32(0b11) << 9) == 0)
        withUnsafeMutableBytes(of: &tables.low) { low in
            withUnsafeMutableBytes(of: &tables.high) { high in buckets.write(low: low, high: high) }
        }
        withUnsafeMutableBytes(of: &tables.runTriggerLow) { low in
            withUnsafeMutableBytes(of: &tables.runTriggerHigh) { high in triggerBuckets.write(low: low, high: high) }
        }
        self.tables = tables
        self.masks = masks
        self.lookBack = lookBack
        self.denseShares = denseShares
    }

    /// Up to eight buckets (``Bucket``) shared by the sets that need them, except the ones
    /// added with ``ownBits(_:)``.
    struct BucketTable {
        var buckets: [Bucket] = []
        /// Whether each bucket serves one set alone.
        var owned: [Bool] = []

        /// The bits of the buckets that make up `bytes`, added as needed; nil when they no longer
        /// fit in eight.
        mutating func bits(_ bytes: Set<UInt8>) -> UInt32? {
            let needed = Bucket.cover(bytes)
            let shared = buckets.indices.filter { !owned[$0] }
            let added = needed.filter { bucket in !shared.contains { buckets[$0] == bucket } }
            guard buckets.count + added.count <= 8 else { return nil }
            buckets += added
            owned += added.map { _ in false }
            return needed.reduce(0) { bits, bucket in
                bits | 1 << UInt32(buckets.indices.first { !owned[$0] && buckets[$0] == bucket }!)
            }
        }

        /// The bits of new buckets that make up `bytes` and serve nothing else (the gate clears
        /// them where a block's byte lacks the byte before it that ``CPIIScan_GateTables/afterSet``
        /// asks for); nil when they no longer fit in eight.
        mutating func ownBits(_ bytes: Set<UInt8>) -> UInt32? {
            let needed = Bucket.cover(bytes)
            guard buckets.count + needed.count <= 8 else { return nil }
            let first = buckets.count
            buckets += needed
            owned += needed.map { _ in true }
            return (first..<buckets.count).reduce(0) { $0 | 1 << UInt32($1) }
        }

        /// The table's two 16-entry halves (``CPIIScan_GateTables/low`` and `high`).
        func write(low: UnsafeMutableRawBufferPointer, high: UnsafeMutableRawBufferPointer) {
            for (j, bucket) in buckets.enumerated() {
                for l in 0..<16 where bucket.low & 1 << l != 0 { low[l] |= UInt8(1) << j }
                for h in 0..<16 where bucket.high & 1 << h != 0 { high[h] |= UInt8(1) << j }
            }
        }
    }

    /// One group's marks (its bits, and how far before a mark its windows may start), added to
    /// `tables`; (0, 0) when it cannot be gated.
    private static func plan(_ group: ScanGroup, patterns: [Pattern], tables: inout CPIIScan_GateTables,
                             chains: inout [[Int]], prefixes: inout [[Set<UInt8>]], buckets: inout BucketTable,
                             triggerBuckets: inout BucketTable) -> (UInt32, Int) {
        guard let prefilter = group.prefilter else { return (0, 0) }
        let core = prefilter.core
        if core.digitRunLength > 0 {
            // Windows reach `within` bytes before a run of `length` digits: mark the runs' blocks,
            // start the stretch that far back, and keep such stretches apart by more than that.
            guard core.digitRunLength <= 32, tables.digitRun == 0 || Int(tables.digitRun) == core.digitRunLength,
                  core.digitRunWithin <= (mergeBlocks - 2) * 64 else { return (0, 0) }
            tables.digitRun = UInt8(core.digitRunLength)
            return (1 << 8, core.digitRunWithin)
        }
        if core.strategy == .anchorRuns {
            guard let bit = addAnchor(core.anchor, length: core.anchorLength, caseless: core.anchorCaseless,
                                      to: &tables) else { return (0, 0) }
            return (bit, 0)
        }
        // A byte trigger that must start one of the group's trigger literals (`Bearer`, `Basic`):
        // each literal is an anchor, where all fit (a capital `B` is in one block of prose in
        // eight, and `memchr` stopped at each).
        let literals = core.triggerLiterals
        if core.strategy == .byteTriggerRuns, !literals.isEmpty,
           Int(tables.anchorCount) + literals.count <= 8,
           literals.allSatisfy({ (Int(CPIIScan_GATE_FINGERPRINT)...32).contains($0.count) }) {
            var mask: UInt32 = 0
            for literal in literals {
                mask |= addAnchor(literal.baseAddress!, length: literal.count, caseless: false, to: &tables)!
            }
            return (mask, 0)
        }
        // Windows of at least `need` ASCII span bytes: a run that long, with a trigger near,
        // marks the block. Where validators accept shorter matches holding one character (a PEM
        // line's `=`), that character's blocks are marked too.
        let definitions = group.patterns.map { patterns[$0].definition.prefilter }
        var need = max(core.minTriggers, core.minWindow)
        var unless: Set<UInt8> = []
        if definitions.allSatisfy({ $0?.validLength != nil }) {
            // A match that stands alone may be as short as validLengthUnlessAlone.
            need = max(need, definitions.map { min($0!.validLength!, $0!.validLengthUnlessAlone ?? Int.max) }.min()!)
            for definition in definitions {
                if let byte = definition?.validLengthUnless?.utf8.first { unless.insert(byte) }
            }
        }
        // Spans with a space make sentences one run; short runs are every word.
        if prefilter.spanUnicode == .none, prefilter.spanIsWordLike, need >= 8, tables.runCount < 4,
           core.triggerGap == 0 {
            let k = Int(tables.runCount)
            let triggers = Set(prefilter.key.trigger)
            guard let triggerBits = triggerBuckets.bits(triggers) else { return (0, 0) }
            // A shorter match holds its `validLengthUnless` byte right after another span byte
            // (checked at load): where the gate has room for one such rule, only those pairs mark.
            let unlessBits: UInt32
            if unless.count == 1, tables.afterBits == 0, let byte = unless.first, let bits = buckets.ownBits(unless) {
                tables.afterBits = UInt8(bits)
                tables.afterByte = byte
                let before = (0..<128).lazy.map(UInt8.init).filter { $0 != byte && core.span[Int($0)] != 0 }
                withUnsafeMutableBytes(of: &tables.afterSet) { Prefilter.addASCIINibbles(before, to: $0) }
                unlessBits = bits
            } else if unless.isEmpty {
                unlessBits = 0
            } else if let bits = buckets.bits(unless) {
                unlessBits = bits
            } else {
                return (0, 0)
            }
            tables.runCount += 1
            withUnsafeMutableBytes(of: &tables.runTriggerBits) { $0[k] = UInt8(triggerBits) }
            // Where every pattern claims the prefixes its matches start with, a run is marked where
            // it starts with one, trigger or not (eight prefixes in all).
            let claimed = group.patterns.map { patterns[$0].prefilter?.runStart ?? [] }
            if !claimed.contains(where: \.isEmpty) {
                // In the patterns' order, each once (the same tables on every load).
                let wanted = claimed.joined().reduce(into: [[Set<UInt8>]]()) { if !$0.contains($1) { $0.append($1) } }
                let added = wanted.filter { !prefixes.contains($0) }
                if prefixes.count + added.count <= 8 {
                    prefixes += added
                    let bits = wanted.reduce(0) { $0 | 1 << prefixes.firstIndex(of: $1)! }
                    withUnsafeMutableBytes(of: &tables.runStartBits) { $0[k] = UInt8(bits) }
                    Self.writePrefixes(prefixes, to: &tables)
                }
            }
            // A longer run holds a run of 32.
            withUnsafeMutableBytes(of: &tables.runLength) { $0[k] = UInt8(min(need, 32)) }
            withUnsafeMutableBytes(of: &tables.runSpan) { table in
                withUnsafeBytes(of: core.nibbles.span) { UnsafeMutableRawBufferPointer(rebasing: table[16 * k ..< 16 * k + 16]).copyMemory(from: $0) }
            }
            // A window marked by its `validLengthUnless` byte alone is shorter than the run, so
            // its triggers lie less than that before the byte, maybe in the block before: the
            // stretch starts that far back (the scans grow windows back from their triggers).
            return (1 << (16 + UInt32(k)) | unlessBits, unlessBits != 0 ? min(need, 32) : 0)
        }
        // Each pattern claims a chain, a dotted quad, or two digits after two bytes of a class.
        let claimed = group.patterns.map { patterns[$0].definition.prefilter }
        let claims = claimed.compactMap { $0?.digitChain }
        let pairAfter = group.patterns.map { patterns[$0].prefilter?.digitPairAfter ?? [] }
        guard !group.patterns.isEmpty, zip(claimed, pairAfter).allSatisfy({ definition, members in
            definition?.digitChain != nil || definition?.dottedQuad == true || !members.isEmpty
        }) else {
            // Other groups keep their own scans: their triggers (letters, `-`, `:`, `.`) are
            // either common in prose, so a gate would mark most blocks, or already found by
            // `memchr`, an anchor search or the pair search at a fraction of a gate's cost
            // (measured: gating the `:` and `.` pair groups doubled their cost).
            return (0, 0)
        }
        // Every match holds a chain, a dotted quad, two digits after two bytes of its class, or a
        // non-ASCII digit: mark each. The classes of a stage's groups share one set (a group may
        // then be marked by another's class too: needlessly, never missing one).
        var mask: UInt32 = 0
        for claim in Set(claims) {
            if let k = chains.firstIndex(of: claim) {
                mask |= 1 << (9 + UInt32(k))
                continue
            }
            guard chains.count < 2 else { return (0, 0) }
            let k = chains.count
            chains.append(claim)
            withUnsafeMutableBytes(of: &tables.chainLength) { $0[k] = UInt8(claim[0]) }
            withUnsafeMutableBytes(of: &tables.chainGap) { $0[k] = UInt8(claim[1]) }
            tables.chainCount += 1
            mask |= 1 << (9 + UInt32(k))
        }
        if claimed.contains(where: { $0?.dottedQuad == true }) {
            tables.dottedQuad = 1
            mask |= CPIIScan_GATE_DOTTED_BIT
        }
        let members = pairAfter.reduce(into: Set<UInt8>()) { $0.formUnion($1) }
        if !members.isEmpty {
            withUnsafeMutableBytes(of: &tables.digitPairAfterSet) { Prefilter.addASCIINibbles(members, to: $0) }
            tables.digitPairAfter = 1
            mask |= CPIIScan_GATE_PAIR_AFTER_BIT
        }
        guard let leads = buckets.bits(unicodeDigitLeadBytes) else { return (0, 0) }
        return (mask | leads, 0)
    }

    /// `prefixes` (three classes each, at most eight) into the gate's prefix tables, prefix f as
    /// bucket f: byte j's class as a product of its high and low nibbles (a superset where the
    /// class is not one: a block marked needlessly, never one missed).
    static func writePrefixes(_ prefixes: [[Set<UInt8>]], to tables: inout CPIIScan_GateTables) {
        withUnsafeMutableBytes(of: &tables.runStartLow) { low in
            withUnsafeMutableBytes(of: &tables.runStartHigh) { high in
                for i in 0..<low.count { low[i] = 0 }
                for i in 0..<high.count { high[i] = 0 }
                for (f, prefix) in prefixes.enumerated() {
                    for (j, members) in prefix.enumerated() {
                        for b in members where b < 0x80 {
                            low[16 * j + Int(b & 15)] |= UInt8(1) << f
                            high[16 * j + Int(b >> 4)] |= UInt8(1) << f
                        }
                    }
                }
            }
        }
    }

    /// Adds an anchor (ASCII bytes at `anchor`, as many as a fingerprint has up to 32, which must
    /// outlive the tables; lower case when `caseless`) to `tables`, with its fingerprint; its
    /// gate-word bit, or nil when the tables have eight already or the anchor is shorter (its group
    /// then scans the whole text: such an anchor is in most blocks of text anyway).
    static func addAnchor(_ anchor: UnsafePointer<UInt8>, length: Int, caseless: Bool,
                          to tables: inout CPIIScan_GateTables) -> UInt32? {
        let k = Int(tables.anchorCount)
        let fingerprint = Int(CPIIScan_GATE_FINGERPRINT)
        guard k < 8, (fingerprint...32).contains(length) else { return nil }
        let bytes = Array(UnsafeBufferPointer(start: anchor, count: length))
        let offset = Prefilter.anchorFingerprint(bytes, length: fingerprint)
        withUnsafeMutableBytes(of: &tables.fingerprintOffset) { $0[k] = UInt8(offset) }
        withUnsafeMutableBytes(of: &tables.fingerprintLow) { low in
            withUnsafeMutableBytes(of: &tables.fingerprintHigh) { high in
                // Bucket k of byte f: the anchor's byte, or both cases of a caseless letter (their
                // nibbles make exactly those two).
                for f in 0..<fingerprint {
                    let b = bytes[offset + f]
                    low[16 * f + Int(b & 15)] |= UInt8(1) << k
                    high[16 * f + Int(b >> 4)] |= UInt8(1) << k
                    if caseless && b &- 0x61 < 26 { high[16 * f + Int((b - 0x20) >> 4)] |= UInt8(1) << k }
                }
            }
        }
        withUnsafeMutablePointer(to: &tables.anchor) {
            $0.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { $0[k] = anchor }
        }
        withUnsafeMutableBytes(of: &tables.anchorLength) { $0[k] = UInt8(length) }
        withUnsafeMutableBytes(of: &tables.anchorCaseless) { $0[k] = caseless ? 1 : 0 }
        tables.anchorCount += 1
        return CPIIScan_gateAnchorBit(UInt32(k))
    }

    /// A set of bytes that is a product: every byte whose high nibble is in `high` and low nibble
    /// in `low` (bit sets).
    struct Bucket: Hashable {
        let low: UInt16
        let high: UInt16

        /// The fewest products whose union is exactly `bytes`: one per distinct set of low nibbles
        /// that some high nibble has.
        static func cover(_ bytes: Set<UInt8>) -> [Bucket] {
            var lowsByHigh = [UInt16](repeating: 0, count: 16)
            for b in bytes { lowsByHigh[Int(b >> 4)] |= 1 << (b & 15) }
            var highsByLows: [UInt16: UInt16] = [:]
            for h in 0..<16 where lowsByHigh[h] != 0 { highsByLows[lowsByHigh[h], default: 0] |= 1 << h }
            return highsByLows.map { Bucket(low: $0.key, high: $0.value) }.sorted { ($0.high, $0.low) < ($1.high, $1.low) }
        }
    }
}

/// The summary of the gate words of a text of `n` bytes (``CPIIScan_summarizeGateWords``): the
/// engine keeps it right after the words, one word per 64 of them.
@inline(__always)
func gateSummary(_ words: UnsafePointer<UInt32>, count n: Int) -> UnsafePointer<UInt32> {
    words + (n + 63) >> 6
}

/// The next stretch of a gated group (see ``BlockGate``) at or after `from`: `words` holds one
/// gate word per 64-byte block of `p[0 ..< n]` and then their summary (``gateSummary(_:count:)``),
/// `mask` the group's bits, `nibbles` its prefilter's
/// nibble tables (their span; bytes >= 0x80 count as span). Returns nil when no marked block is left.
///
/// The stretch starts at its first marked block (or `from`), less `lookBack`: the scans grow a
/// window back from its trigger themselves, and no run reaches back past the previous stretch,
/// which ended at a byte outside the span. (Digit-run windows start up to `lookBack` bytes
/// before their run; their stretches are kept further apart than that by ``BlockGate/mergeBlocks``.)
@inline(__always)
func nextGateStretch(_ p: UnsafePointer<UInt8>, count n: Int, words: UnsafePointer<UInt32>, mask: UInt32,
                     nibbles: CPIIScan_Nibbles, lookBack: Int, from: Int) -> Range<Int>? {
    guard from < n else { return nil }
    let blocks = (n + 63) >> 6
    let summary = gateSummary(words, count: n)
    let b = CPIIScan_nextGateBlock(words, summary, from >> 6, blocks, mask)
    guard b < blocks else { return nil }
    var lo = max(from, (b << 6) - lookBack)
    // A character's first byte, as a window's start is (`from` is one: a stretch's or window's end).
    while lo > from && p[lo] & 0xC0 == 0x80 { lo -= 1 }
    // To the end of this run of marked blocks, then on to the next byte outside the span; and on
    // over a gap of fewer than `mergeBlocks` unmarked blocks to the next marked one (scanning a
    // short gap costs less than starting a stretch), and so on. Marked blocks the span run
    // passes over are inside the stretch; one it ends in is the next "next one".
    var e = b
    var hi = lo
    while true {
        while e < blocks && words[e] & mask != 0 { e += 1 }
        let start = max(hi, min(n, e << 6))
        hi = withUnsafePointer(to: nibbles) { CPIIScan_runEnd(p, start, n, $0) }
        e = (hi + 63) >> 6
        let limit = min(blocks, e + BlockGate.mergeBlocks)
        e = CPIIScan_nextGateBlock(words, summary, e, limit, mask)
        guard e < limit else { break }
    }
    return lo..<hi
}
