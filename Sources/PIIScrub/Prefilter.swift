internal import CPIIScan
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the engine finds the text PCRE2 must look at, chosen per pattern when the set is built.
///
/// Exposed for tests and `lint-patterns`; see the type docs of ``PrefilterDefinition`` for the
/// contract. A prefilter may report text that holds no match (PCRE2 then finds nothing), but it
/// must never hide a match: a missed match is a leak.
public struct Strategy: Sendable, Hashable, CustomStringConvertible {
    enum Base: Sendable, Hashable {
        /// PCRE2 searches the whole buffer.
        case pcre2Only
        /// `memchr` for a single trigger byte that every match needs once, then PCRE2 inside the
        /// span run around it.
        case byteTriggerRuns
        /// A SIMD scan for a set of trigger bytes (and Unicode digit lead bytes), or for one byte
        /// needed more than once, then PCRE2 inside span runs holding at least `minTriggers`
        /// triggers.
        case classTriggerRuns
        /// A SIMD search for an anchor string every match contains, then PCRE2 inside the span
        /// run around each occurrence (``PrefilterDefinition/anchor``).
        case anchorRuns
    }
    let base: Base

    public static let pcre2Only = Strategy(base: .pcre2Only)
    public static let byteTriggerRuns = Strategy(base: .byteTriggerRuns)
    public static let classTriggerRuns = Strategy(base: .classTriggerRuns)
    public static let anchorRuns = Strategy(base: .anchorRuns)

    public var description: String {
        switch base {
        case .pcre2Only: "pcre2-only"
        case .byteTriggerRuns: "byte-trigger-runs"
        case .classTriggerRuns: "class-trigger-runs"
        case .anchorRuns: "anchor-runs"
        }
    }
}

/// Immutable byte tables for one prefilter.
// SAFETY: the tables are written only in `init` and freed in `deinit`; after `init` they are
// read-only, so sharing across threads is safe.
final class PrefilterTables: @unchecked Sendable {
    /// 256 entries: 1 if the ASCII byte is a trigger.
    let trigger: UnsafeMutablePointer<UInt8>
    /// 256 entries: 1 if the ASCII byte is a span character.
    let span: UnsafeMutablePointer<UInt8>

    /// The code points of a `list` Unicode span.
    let list: UnsafeMutableBufferPointer<UInt32>
    /// The anchor's bytes (lower case when caseless); empty without one.
    let anchor: UnsafeMutableBufferPointer<UInt8>

    init(trigger triggerSet: Set<UInt8>, span spanSet: Set<UInt8>, list values: [UInt32] = [], anchor bytes: [UInt8] = []) {
        list = .allocate(capacity: values.count)
        _ = list.initialize(from: values)
        anchor = .allocate(capacity: max(bytes.count, 1))
        _ = anchor.initialize(from: bytes)
        trigger = .allocate(capacity: 256)
        trigger.initialize(repeating: 0, count: 256)
        span = .allocate(capacity: 256)
        span.initialize(repeating: 0, count: 256)
        for b in triggerSet { trigger[Int(b)] = 1 }
        for b in spanSet { span[Int(b)] = 1 }
    }

    deinit {
        anchor.deallocate()
        list.deallocate()
        trigger.deallocate()
        span.deallocate()
    }
}

/// Byte strings the hot loop reads in place (``PrefilterCore/triggerLiterals``).
final class LiteralTable: @unchecked Sendable {
    // SAFETY: written once in init, read-only afterwards.
    private let storage: UnsafeMutableBufferPointer<UInt8>
    private let slices: UnsafeMutableBufferPointer<UnsafeBufferPointer<UInt8>>
    let literals: UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>

    init(_ values: [[UInt8]]) {
        storage = .allocate(capacity: max(1, values.reduce(0) { $0 + $1.count }))
        slices = .allocate(capacity: max(1, values.count))
        var at = 0
        for (k, value) in values.enumerated() {
            _ = UnsafeMutableBufferPointer(rebasing: storage[at..<(at + value.count)]).initialize(from: value)
            slices[k] = UnsafeBufferPointer(rebasing: storage[at..<(at + value.count)])
            at += value.count
        }
        literals = UnsafeBufferPointer(rebasing: slices[..<values.count])
    }

    deinit {
        storage.deallocate()
        slices.deallocate()
    }
}

/// The compiled form of a ``PrefilterDefinition``.
///
/// A class so the hot path borrows it (one reference) instead of copying its tables and arrays
/// per call.
final class Prefilter: Sendable {
    /// The non-ASCII part of the span (the hot loop uses ``PrefilterCore/UnicodeSpan``).
    enum UnicodeClass: Sendable, Hashable {
        case none
        case digits
        case any
        case list([UInt32])
    }

    let tables: PrefilterTables
    /// Identifies prefilters that find the same runs (all but `minTriggers`), so patterns sharing
    /// one scan their text once.
    let key: Key

    struct Key: Hashable, Sendable {
        var trigger: [UInt8]
        var triggerDigits: Bool
        var span: [UInt8]
        var spanUnicode: UnicodeClass
        var anchor: [UInt8]
        var anchorCaseless: Bool
    }
    var spanUnicode: UnicodeClass { key.spanUnicode }
    /// The span holds no letters, space or NUL: runs of it are short in prose, so skipping text
    /// without long runs (``CPIIScan_findLongRun``) pays off. Wide spans (letters) make whole
    /// lines one run; the trigger-first scan is better there.
    let spanIsNarrow: Bool
    /// The span holds neither space nor NUL: its runs are words, not sentences, so a long
    /// shortest match (``minWindow``) lets the long-run scan skip most prose.
    let spanIsWordLike: Bool
    /// Everything the scan itself reads; the hot loop copies it.
    let core: PrefilterCore
    /// Owns ``PrefilterCore/triggerLiterals``.
    private let triggerLiteralTable: LiteralTable?

    var minTriggers: Int { core.minTriggers }
    /// The shortest match of the patterns searched in this prefilter's windows (PCRE2
    /// MINLENGTH, bytes): a shorter window cannot hold one. 1 until a ``ScanGroup`` sets it.
    var minWindow: Int { core.minWindow }
    var strategy: Strategy { core.strategy }
    /// Whether ``nextWindow(_:from:count:)`` uses ``CPIIScan_findLongRun``.
    var usesLongRunScan: Bool { core.usesLongRunScan }
    /// The bytes of ``PrefilterDefinition/requiresClass``; empty without one (a declared class
    /// is never empty).
    let requiredClass: Set<UInt8>
    /// The classes of ``PrefilterDefinition/runStart``'s prefixes, three each; empty without one.
    let runStart: [[Set<UInt8>]]
    /// The class of ``PrefilterDefinition/digitPairAfter``; empty without one.
    let digitPairAfter: Set<UInt8>

    init(_ definition: PrefilterDefinition, patternID: String) throws(PIIScrubError) {
        let triggers = try parseASCIIClass(definition.trigger, patternID: patternID, field: "trigger")
        let span = try parseASCIIClass(definition.span, patternID: patternID, field: "span")
        guard !triggers.isEmpty else {
            throw PIIScrubError(.invalidPatternFile, "prefilter.trigger is empty", patternID: patternID)
        }
        requiredClass = try definition.requiresClass.map { (text) throws(PIIScrubError) in
            try parseASCIIClass(text, patternID: patternID, field: "requiresClass")
        } ?? []
        guard definition.requiresClass == nil || !requiredClass.isEmpty else {
            throw PIIScrubError(.invalidPatternFile, "prefilter.requiresClass is empty", patternID: patternID)
        }
        if let count = definition.requiresClassCount {
            guard definition.requiresClass != nil, (1...64).contains(count) else {
                throw PIIScrubError(.invalidPatternFile, "prefilter.requiresClassCount must be 1 to 64, with requiresClass",
                                    patternID: patternID)
            }
        }
        var runStart: [[Set<UInt8>]] = []
        for prefix in definition.runStart ?? [] {
            var classes: [Set<UInt8>] = []
            for text in prefix { classes.append(try parseASCIIClass(text, patternID: patternID, field: "runStart")) }
            guard classes.count == 3, classes.allSatisfy({ !$0.isEmpty && $0.isSubset(of: span) }) else {
                throw PIIScrubError(.invalidPatternFile,
                                    "prefilter.runStart prefixes must be three non-empty classes of span bytes",
                                    patternID: patternID)
            }
            runStart.append(classes)
        }
        guard definition.runStart == nil || ((1...8).contains(runStart.count) && (definition.spanUnicode ?? "none") == "none")
        else {
            throw PIIScrubError(.invalidPatternFile, "prefilter.runStart must list 1 to 8 prefixes, with an ASCII span",
                                patternID: patternID)
        }
        self.runStart = runStart
        digitPairAfter = try definition.digitPairAfter.map { (text) throws(PIIScrubError) in
            try parseASCIIClass(text, patternID: patternID, field: "digitPairAfter")
        } ?? []
        guard definition.digitPairAfter == nil || (!digitPairAfter.isEmpty && !digitPairAfter.contains(where: { $0 &- 0x30 < 10 }))
        else {
            throw PIIScrubError(.invalidPatternFile, "prefilter.digitPairAfter must be a non-empty class without digits",
                                patternID: patternID)
        }
        guard triggers.isSubset(of: span) else {
            throw PIIScrubError(.invalidPatternFile, "prefilter.trigger must be a subset of prefilter.span",
                                patternID: patternID)
        }
        let triggerDigits: Bool
        switch definition.triggerUnicode ?? "none" {
        case "none": triggerDigits = false
        case "digits": triggerDigits = true
        case let other:
            throw PIIScrubError(.invalidPatternFile, "prefilter.triggerUnicode must be none or digits, not \(other)",
                                patternID: patternID)
        }
        let spanUnicode: UnicodeClass
        switch definition.spanUnicode ?? "none" {
        case "none": spanUnicode = .none
        case "digits": spanUnicode = .digits
        case "any": spanUnicode = .any
        case "list":
            var values: [UInt32] = []
            for text in definition.spanCodePoints ?? [] {
                guard text.hasPrefix("U+"), let v = UInt32(text.dropFirst(2), radix: 16), v >= 0x80,
                      Unicode.Scalar(v) != nil
                else {
                    throw PIIScrubError(.invalidPatternFile, "prefilter.spanCodePoints: bad code point \(text)",
                                        patternID: patternID)
                }
                values.append(v)
            }
            spanUnicode = .list(values)
        case let other:
            throw PIIScrubError(.invalidPatternFile, "prefilter.spanUnicode must be none, digits, any or list, not \(other)",
                                patternID: patternID)
        }
        if triggerDigits {
            switch spanUnicode {
            case .digits, .any: break
            default:
                throw PIIScrubError(.invalidPatternFile, "prefilter: Unicode digit triggers need spanUnicode digits or any",
                                    patternID: patternID)
            }
        }
        let minTriggers = max(1, definition.minTriggers ?? 1)
        var listValues: [UInt32] = []
        if case .list(let values) = spanUnicode { listValues = values }
        let anchorCaseless = definition.anchorCaseless ?? false
        let anchor = try Self.parseAnchor(definition.anchor, caseless: anchorCaseless, triggers: triggers, span: span,
                                          patternID: patternID)
        tables = PrefilterTables(trigger: triggers, span: span, list: listValues, anchor: anchor)
        key = Key(trigger: triggers.sorted(), triggerDigits: triggerDigits, span: span.sorted(), spanUnicode: spanUnicode,
                  anchor: anchor, anchorCaseless: anchorCaseless && !anchor.isEmpty)

        var runs: [(UInt8, UInt8)] = []
        for b in triggers.sorted() {
            if let last = runs.last, Int(last.0) + Int(last.1) == Int(b) {
                runs[runs.count - 1].1 += 1
            } else {
                runs.append((b, 1))
            }
        }
        // One trigger byte needed once: `memchr`. Needed more than once, the class scan in C
        // (`CPIIScan_findRun`), which grows each run and skips those with too few triggers
        // without returning: for `.` (two per match of mac-address-dotted), growing every full
        // stop of prose in Swift cost 18 ms on the 64 MiB clean corpus against 6 ms.
        let strategy: Strategy = !anchor.isEmpty ? .anchorRuns
            : triggers.count == 1 && !triggerDigits && minTriggers == 1 ? .byteTriggerRuns : .classTriggerRuns
        guard runs.count <= 3 else {
            throw PIIScrubError(.invalidPatternFile, "prefilter.trigger may hold at most three ranges",
                                patternID: patternID)
        }
        while runs.count < 3 { runs.append((0, 0)) }
        let scanRanges = CPIIScan_ByteRanges(lo0: runs[0].0, len0: runs[0].1, lo1: runs[1].0, len1: runs[1].1,
                                             lo2: runs[2].0, len2: runs[2].1,
                                             // The smallest lead byte of a non-ASCII digit (0xD9, U+0660).
                                             high: triggerDigits ? unicodeDigitLeadBytes.min()! : 0)
        var nibbles = CPIIScan_Nibbles()
        withUnsafeMutableBytes(of: &nibbles.span) { Self.addASCIINibbles(span, to: $0) }
        withUnsafeMutableBytes(of: &nibbles.trigger) { Self.addASCIINibbles(triggers, to: $0) }
        if triggerDigits {
            withUnsafeMutableBytes(of: &nibbles.lead) { table in
                for b in unicodeDigitLeadBytes { table[Int(b & 0x0F)] |= UInt8(1) << (b >> 4 - 8) }
            }
        }
        let wide = Set(UInt8(ascii: "A")...UInt8(ascii: "Z")).union(UInt8(ascii: "a")...UInt8(ascii: "z"))
            .union([UInt8(ascii: " "), 0])
        spanIsNarrow = span.isDisjoint(with: wide)
        spanIsWordLike = !span.contains(UInt8(ascii: " ")) && !span.contains(0)
        let unicode: PrefilterCore.UnicodeSpan
        switch spanUnicode {
        case .none: unicode = .none
        case .digits: unicode = .digits
        case .any: unicode = .any
        case .list: unicode = .list(UnsafeBufferPointer(tables.list))
        }
        triggerLiteralTable = nil
        core = PrefilterCore(
            trigger: tables.trigger, span: tables.span, triggerDigits: triggerDigits, minTriggers: minTriggers,
            minWindow: 1, spanUnicode: unicode, strategy: strategy, triggerByte: triggers.min()!,
            scanRanges: scanRanges, nibbles: nibbles,
            anchor: UnsafePointer(tables.anchor.baseAddress!), anchorLength: anchor.count, anchorCaseless: anchorCaseless,
            anchorProbes: Self.anchorProbes(anchor),
            usesLongRunScan: Self.longRunRule(narrow: spanIsNarrow, wordLike: spanIsWordLike, strategy: strategy,
                                              asciiSpan: spanUnicode == .none, minTriggers: minTriggers,
                                              minWindow: 1))
    }

    /// Marks the ASCII bytes of `bytes` in a 16-entry nibble table (bit h of entry l: byte
    /// h·16 + l), the form the vector scans classify by.
    static func addASCIINibbles(_ bytes: some Sequence<UInt8>, to table: UnsafeMutableRawBufferPointer) {
        for b in bytes where b < 0x80 { table[Int(b & 0x0F)] |= UInt8(1) << (b >> 4) }
    }

    /// The two offsets of `anchor` whose bytes the SIMD search compares first: the rarest in
    /// English prose and code by a coarse rank. On the clean corpus, probing `c` and `r` of
    /// `ecret` instead of its first and last byte gives 5.7x fewer hits to compare whole. Any two
    /// offsets give the same result; this only decides how often the whole anchor is compared.
    static func anchorProbes(_ anchor: [UInt8]) -> (Int, Int) {
        guard anchor.count > 1 else { return (0, 0) }
        let sorted = anchor.indices.sorted { (rank(anchor[$0]), $0) < (rank(anchor[$1]), $1) }
        // Two different bytes where the anchor has them: a repeated byte tells little more.
        let second = sorted.dropFirst().first { anchor[$0] != anchor[sorted[0]] } ?? sorted[1]
        return (sorted[0], second)
    }

    /// How common byte b is in English prose and code, coarsely (lower: rarer).
    private static func rank(_ b: UInt8) -> Int {
        let order = Array("zqxjkvbpygfwmucldrhsnioate".utf8)
        if b &- 0x41 < 26 { return 1 }  // capitals (a caseless anchor is lower case)
        if b &- 0x30 < 10 { return 2 }
        if let k = order.firstIndex(of: b) { return 4 + k }
        switch b {
        case UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: ","): return 40
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "="): return 3
        default: return 0
        }
    }

    /// Where the `length` consecutive bytes of `anchor` that the block gate looks for (its
    /// fingerprint, ``CPIIScan_GateTables``) start: the rarest by the ranks of their bytes,
    /// summed (`BEG` of `-----BEGIN `, not `---`; `riz` of `uthorization`). 0 for an anchor no
    /// longer than that. Like the probes, this only decides how often the whole anchor is compared.
    static func anchorFingerprint(_ anchor: [UInt8], length: Int) -> Int {
        guard anchor.count > length else { return 0 }
        return (0...anchor.count - length).min { a, b in
            (anchor[a..<a + length].map(rank).reduce(0, +), a) < (anchor[b..<b + length].map(rank).reduce(0, +), b)
        }!
    }

    /// The anchor's bytes (lower case when caseless), checked against the claim's other parts:
    /// its first byte must be a trigger (windows are grown from it) and every byte a span
    /// character; caseless, both cases of each letter must be, and `s`/`k` are refused.
    static func parseAnchor(_ text: String?, caseless: Bool, triggers: Set<UInt8>, span: Set<UInt8>,
                            patternID: String) throws(PIIScrubError) -> [UInt8] {
        guard let text else { return [] }
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 32, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw PIIScrubError(.invalidPatternFile, "prefilter.anchor must be 1 to 32 printable ASCII characters",
                                patternID: patternID)
        }
        func variants(_ b: UInt8) -> [UInt8] {
            caseless && b &- 0x61 < 26 ? [b, b - 0x20] : [b]
        }
        if caseless {
            guard !bytes.contains(where: { $0 &- 0x41 < 26 }) else {
                throw PIIScrubError(.invalidPatternFile, "prefilter.anchor must be lower case when anchorCaseless is set",
                                    patternID: patternID)
            }
            guard !bytes.contains(UInt8(ascii: "s")) && !bytes.contains(UInt8(ascii: "k")) else {
                throw PIIScrubError(.invalidPatternFile,
                                    "prefilter.anchor: a caseless s or k also matches U+017F or U+212A; anchor on other letters",
                                    patternID: patternID)
            }
        }
        guard variants(bytes[0]).allSatisfy(triggers.contains) else {
            throw PIIScrubError(.invalidPatternFile, "prefilter.anchor must start with a trigger character",
                                patternID: patternID)
        }
        guard bytes.allSatisfy({ variants($0).allSatisfy(span.contains) }) else {
            throw PIIScrubError(.invalidPatternFile, "prefilter.anchor must consist of span characters",
                                patternID: patternID)
        }
        return bytes
    }

    /// When the vector long-run scan (``CPIIScan_findLongRun``) beats the trigger-first scans,
    /// measured per scan group on the 64 MiB clean corpus: narrow spans (digits, punctuation)
    /// needing a few triggers; and word-like ASCII spans with a trigger class whose windows must
    /// be long (most words are shorter than 8 bytes). Not for a single trigger byte (`memchr`
    /// wins unless the byte is very common: `-` lost 18 ms, `.` gained 4), nor for spans with
    /// non-ASCII characters (CJK text is one long run), nor for spans with space (runs are
    /// sentences: forcing it on the digit, labelled-number and PEM-line groups cost 10-40 ms).
    /// An anchored prefilter never takes it: its search already skips all text without the anchor.
    static func longRunRule(narrow: Bool, wordLike: Bool, strategy: Strategy, asciiSpan: Bool, minTriggers: Int,
                            minWindow: Int) -> Bool {
        guard strategy != .anchorRuns else { return false }
        return (narrow && wordLike && minTriggers >= 3)
            || (wordLike && strategy == .classTriggerRuns && asciiSpan && max(minTriggers, minWindow) >= 8)
    }

    /// A copy with a group's smallest `minTriggers` and shortest match (`minWindow`), and
    /// optionally the long-run scan or the vector run search turned off (tests compare the
    /// scans window for window).
    ///
    /// With `digitRunWindows` (every pattern of the group claims a run of at least `length` ASCII
    /// digits starting at most `within` bytes after its start), the windows are found from those
    /// runs instead (``PrefilterCore/digitRunLength``).
    init(_ other: Prefilter, minTriggers: Int, minWindow: Int = 1, longRunScan: Bool = true, vectorFindRun: Bool = true,
         digitRunWindows: (length: Int, within: Int)? = nil, triggerGap: Int = 0, triggerGapExact: Bool = false,
         triggerLiterals: [[UInt8]] = []) {
        tables = other.tables
        key = other.key
        spanIsNarrow = other.spanIsNarrow
        spanIsWordLike = other.spanIsWordLike
        requiredClass = other.requiredClass  // a per-pattern claim: the engine reads each pattern's own
        runStart = []  // per pattern too (``Pattern/prefilter``'s); a group's patterns may claim others
        digitPairAfter = []  // the same
        var core = other.core
        core.minTriggers = minTriggers
        core.minWindow = max(1, minWindow)
        core.usesLongRunScan = longRunScan && Self.longRunRule(
            narrow: spanIsNarrow, wordLike: spanIsWordLike, strategy: core.strategy,
            asciiSpan: other.spanUnicode == .none, minTriggers: minTriggers, minWindow: core.minWindow)
        core.vectorFindRun = vectorFindRun
        core.digitRunLength = digitRunWindows?.length ?? 0
        core.digitRunWithin = digitRunWindows?.within ?? 0
        core.triggerGap = triggerGap
        core.triggerGapExact = triggerGap > 0 && triggerGapExact
        // Only a single trigger byte found by `memchr` that starts every literal.
        let literals = core.strategy == .byteTriggerRuns && !triggerLiterals.isEmpty
            && triggerLiterals.allSatisfy { $0.first == core.triggerByte } ? triggerLiterals : []
        triggerLiteralTable = literals.isEmpty ? nil : LiteralTable(literals)
        core.triggerLiterals = triggerLiteralTable?.literals ?? UnsafeBufferPointer(start: nil, count: 0)
        self.core = core
    }

    /// See ``PrefilterCore/nextWindow(_:from:count:runs:)``; scans afresh on every call.
    func nextWindow(_ p: UnsafePointer<UInt8>, from position: inout Int, count n: Int) -> PrefilterCore.Window? {
        var slot = CPIIScan_Run()
        return withUnsafeMutablePointer(to: &slot) { storage in
            var runs = RunBuffer(storage: storage, capacity: 1)
            return core.nextWindow(p, from: &position, count: n, runs: &runs)
        }
    }
}

/// Runs the long-run scan found ahead (``CPIIScan_findLongRuns``), handed out one by one by
/// ``PrefilterCore/nextWindow(_:from:count:runs:)``: on dense text a window every few hundred
/// bytes made the one-run-per-call scan classify each 128-byte block again after every run
/// (dense corpus: 19.5 ms of scanning against 15.3 ms with 32 runs per call).
///
/// Valid for one buffer and one prefilter: start a new one per scan. The engine's storage is
/// ``ScrubState/runStorage`` (a stack allocation per call with a closure cost short payloads
/// ~10 %).
struct RunBuffer {
    static let capacity = 32
    let storage: UnsafeMutablePointer<CPIIScan_Run>
    let capacity: Int
    var index = 0
    var count = 0
    /// The position the buffered runs continue from; a caller at any other position (a match
    /// that ran past its window, a status-2 result) gets a fresh scan.
    var resume = -1
    /// The last fill found every run there is after `resume`'s start.
    var complete = false

    init(storage: UnsafeMutablePointer<CPIIScan_Run>, capacity: Int) {
        self.storage = storage
        self.capacity = capacity
    }
}

/// The hot half of a ``Prefilter``: plain values and pointers into its ``PrefilterTables``, so
/// the engine copies it per call without reference counting. Valid while the `Prefilter` (kept
/// by the pattern set) is alive.
struct PrefilterCore: @unchecked Sendable {
    /// A run of text that may hold matches.
    struct Window {
        let range: Range<Int>
        /// Trigger characters in it.
        let triggers: Int
        /// Every byte of the window, and the byte on each side of it (where there is one), is
        /// ASCII: the pattern's ASCII-class variant finds the same matches here (``ASCIIVariant``).
        let asciiContext: Bool
    }

    // SAFETY: the pointers are into immutable tables owned by the Prefilter.
    enum UnicodeSpan {
        case none
        case digits
        case any
        case list(UnsafeBufferPointer<UInt32>)

        @inline(__always)
        func contains(_ scalar: UInt32) -> Bool {
            switch self {
            case .none: false
            case .digits: isDecimalDigit(scalar)
            case .any: true
            case .list(let values): values.contains(scalar)
            }
        }

        var isNone: Bool {
            if case .none = self { return true }
            return false
        }
    }

    let trigger: UnsafePointer<UInt8>
    let span: UnsafePointer<UInt8>
    let triggerDigits: Bool
    var minTriggers: Int
    var minWindow: Int
    let spanUnicode: UnicodeSpan
    let strategy: Strategy
    let triggerByte: UInt8
    let scanRanges: CPIIScan_ByteRanges
    let nibbles: CPIIScan_Nibbles
    /// The anchor (``Strategy/anchorRuns``): `anchorLength` bytes, lower case when caseless.
    let anchor: UnsafePointer<UInt8>
    let anchorLength: Int
    let anchorCaseless: Bool
    /// The anchor offsets the SIMD search probes (``Prefilter/anchorProbes(_:)``).
    let anchorProbes: (Int, Int)
    var usesLongRunScan: Bool
    /// ``CPIIScan_findRun`` with its AVX2 path (where the CPU has it); tests turn it off to
    /// compare with the portable one.
    var vectorFindRun = true
    /// Digit-run windows (0: off). Every pattern of the group holds a run of at least this many
    /// ASCII digits starting at most ``digitRunWithin`` bytes after the match's start (the label
    /// patterns, `SSN: 123456789`). Their trigger-and-span windows are whole sentences around
    /// the digits, so the windows are built from the runs instead: the union of
    /// [run start − within, run end) over the runs, found 32 bytes a step
    /// (``CPIIScan_findDigitRun``). Every such match starts in one of them.
    var digitRunLength = 0
    var digitRunWithin = 0

    /// Trigger literals (empty: none): every pattern of the group requires one of these strings
    /// (``PrefilterDefinition/requires``), each starting with the trigger byte, so a trigger
    /// that starts none of them grows no window (`authorization-credentials`: a capital `B` of
    /// prose that is not `Bearer` or `Basic`; `email-percent-encoded`: `%` not `%40`). A run
    /// holding one is still found, from that trigger, and it is the same maximal run.
    var triggerLiterals = UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>(start: nil, count: 0)

    /// Pair windows (0: off): every pattern of the group holds two of its single trigger byte at
    /// most this many bytes apart (``PrefilterDefinition/triggerGap``), so only runs around such a
    /// pair are grown (``CPIIScan_findTriggerPair``), instead of around every trigger.
    var triggerGap = 0
    /// The pair's bytes are exactly ``triggerGap`` apart (``PrefilterDefinition/triggerGapExact``).
    var triggerGapExact = false

    /// The trigger count of a digit-run window: not counted, and never below a pattern's
    /// `minTriggers` (the digit-run claim is the stronger one). Not `Int.max`, which marks the
    /// PCRE2-only window.
    static let uncountedTriggers = Int.max - 1

    /// Whether one of ``triggerLiterals`` starts at `i`.
    @inline(__always)
    func startsTriggerLiteral(_ p: UnsafePointer<UInt8>, at i: Int, count n: Int) -> Bool {
        for literal in triggerLiterals where i + literal.count <= n
            && memcmp(p + i, literal.baseAddress!, literal.count) == 0 {
            return true
        }
        return false
    }

    /// Finds the next byte at or after `from` that may start a trigger character; with an anchor,
    /// the start of the anchor's next occurrence (its first byte is a trigger).
    @inline(__always)
    func nextCandidate(_ p: UnsafePointer<UInt8>, from: Int, count n: Int) -> Int? {
        if strategy == .byteTriggerRuns {
            var from = from
            while from < n, let hit = memchr(p + from, Int32(triggerByte), n - from) {
                let i = UnsafeRawPointer(hit) - UnsafeRawPointer(p)
                if triggerLiterals.isEmpty || startsTriggerLiteral(p, at: i, count: n) { return i }
                from = i + 1
            }
            return nil
        }
        if strategy == .anchorRuns {
            let i = CPIIScan_findAnchor(p, from, n, anchor, anchorLength, anchorCaseless ? 1 : 0,
                                        anchorProbes.0, anchorProbes.1, 1)
            return i < n ? i : nil
        }
        guard from < n else { return nil }
        let i = CPIIScan_find(p, from, n, scanRanges)
        return i < n ? i : nil
    }

    /// Finds the next window at or after `position`: a maximal run of span characters holding at
    /// least `minTriggers` triggers. Every match of the pattern that starts at or after
    /// `position` lies inside one of the windows this returns, in order.
    ///
    /// - Returns: the window, the number of trigger characters in it, and whether it has ASCII
    ///   context.
    ///
    /// `runs` carries the long-run scan's look-ahead from one call to the next (see ``RunBuffer``).
    @inline(__always)
    func nextWindow(_ p: UnsafePointer<UInt8>, from position: inout Int, count n: Int,
                    runs: inout RunBuffer) -> Window? {
        if digitRunLength > 0 { return nextDigitRunWindow(p, from: &position, count: n, runs: &runs) }
        let trigger = self.trigger
        let span = self.span
        while position < n {
            let t: Int
            if triggerGap > 0 || usesLongRunScan || strategy == .classTriggerRuns {
                // ASCII runs are found and filtered in C; anything touching non-ASCII comes back
                // here (status 2) for the UTF-8-aware path below. With a trigger pair, a match
                // holds one and the pair lies in the match's run: the runs are those around the
                // pairs.
                var run: CPIIScan_Run
                if triggerGap > 0 || usesLongRunScan {
                    if runs.resume != position {
                        runs.index = 0
                        runs.count = 0
                        runs.complete = false
                    }
                    if runs.index == runs.count {
                        if runs.complete { break }
                        let start = position
                        runs.count = withUnsafePointer(to: nibbles) { nib in
                            triggerGap > 0
                                ? CPIIScan_findPairRuns(p, start, n, triggerByte, triggerGap, triggerGapExact ? 1 : 0,
                                                        trigger, span, minTriggers, minWindow, nib, vectorFindRun ? 1 : 0,
                                                        runs.storage, runs.capacity)
                                : CPIIScan_findLongRuns(p, start, n, scanRanges, trigger, span, minTriggers, minWindow, nib,
                                                        runs.storage, runs.capacity)
                        }
                        runs.index = 0
                        runs.complete = runs.count < runs.capacity
                            && (runs.count == 0 || runs.storage[runs.count - 1].status == 1)
                        if runs.count == 0 { break }
                    }
                    run = runs.storage[runs.index]
                    runs.index += 1
                    // Only a status-1 run says where the scan goes on; after status 2 the
                    // UTF-8-aware path below moves `position` and the next call scans afresh.
                    runs.resume = run.status == 1 ? run.hi : -1
                } else {
                    let start = position
                    run = withUnsafePointer(to: nibbles) { nib in
                        CPIIScan_findRun(p, start, n, scanRanges, trigger, span, minTriggers,
                                         vectorFindRun ? nib : nil)
                    }
                }
                if run.status == 0 { break }
                if run.status == 1 {
                    // Status 1: an all-ASCII run between ASCII bytes (or the buffer's ends).
                    position = run.hi
                    if run.hi - run.lo < minWindow { continue }
                    return Window(range: run.lo..<run.hi, triggers: run.triggers, asciiContext: true)
                }
                t = run.lo
            } else {
                guard let found = nextCandidate(p, from: position, count: n) else { break }
                t = found
            }
            if let found = window(at: t, p, count: n, position: &position) { return found }
        }
        position = n
        return nil
    }

    /// See ``digitRunLength``. `runs` keeps the run found after a window's end (the look-ahead
    /// that ended the merging) for the next call from there.
    @inline(__always)
    func nextDigitRunWindow(_ p: UnsafePointer<UInt8>, from position: inout Int, count n: Int,
                            runs: inout RunBuffer) -> Window? {
        let k = digitRunLength
        let within = digitRunWithin
        func run(from i: Int) -> (Int, Int) {
            var end = n
            let start = CPIIScan_findDigitRun(p, i, n, k, &end)
            return (start, end)
        }
        guard position < n else { return nil }
        var (a, aEnd) = runs.resume == position && runs.count == 1
            ? (runs.storage[0].lo, runs.storage[0].hi) : run(from: position)
        runs.count = 0
        runs.resume = -1
        guard a < n else {
            position = n
            return nil
        }
        var lo = max(position, a - within)
        // Back to the first byte of a character; `position` (a window's or a match's end) is one.
        while lo > position && p[lo] & 0xC0 == 0x80 { lo -= 1 }
        var hi = aEnd
        while hi < n {
            (a, aEnd) = run(from: hi)
            guard a < n else { break }
            guard a - within < hi else {
                runs.storage[0] = CPIIScan_Run(lo: a, hi: aEnd, triggers: 0, status: 1)
                runs.count = 1
                runs.resume = hi
                break
            }
            hi = aEnd
        }
        position = hi
        // ASCII context lets the group's patterns use their ASCII-class variants, and spares a
        // pattern that needs a non-ASCII character (``PrefilterDefinition/requiresNonASCII``).
        let ascii = Self.isASCII(p, from: lo == 0 ? 0 : lo - 1, to: hi == n ? n : hi + 1)
        return Window(range: lo..<hi, triggers: Self.uncountedTriggers, asciiContext: ascii)
    }

    /// Whether every byte of p[from ..< to] is ASCII, eight at a time.
    @inline(__always)
    static func isASCII(_ p: UnsafePointer<UInt8>, from: Int, to: Int) -> Bool {
        var i = from
        var any: UInt64 = 0
        while i + 8 <= to {
            any |= UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            i += 8
        }
        while i < to {
            any |= UInt64(p[i])
            i += 1
        }
        return any & 0x8080_8080_8080_8080 == 0
    }

    /// The window grown from the candidate byte at `t`, or nil when `t` does not start a trigger
    /// character or the run holds fewer than `minTriggers` triggers. Sets `position` to where the
    /// next candidate for this prefilter may be (the run's end, or past `t`).
    @inline(__always)
    func window(at t: Int, _ p: UnsafePointer<UInt8>, count n: Int, position: inout Int) -> Window? {
        let trigger = self.trigger
        let span = self.span
        let unicodeSpan = spanUnicode
        let hasUnicodeSpan = !unicodeSpan.isNone
        let digits = triggerDigits
        var triggers = 1
        var hi: Int
        var lo = t
        // Stays lo = hi = -1 unless the run is grown over ASCII bytes from an ASCII trigger.
        var grown = CPIIScan_Grown(lo: -1, hi: -1, triggers: 0)
        let b = p[t]
        if b < 0x80 {
            if trigger[Int(b)] == 0 {
                position = t + 1
                return nil
            }
            // The ASCII part of the run, 32 bytes a step; the loops below go on only past a
            // non-ASCII neighbour.
            grown = withUnsafePointer(to: nibbles) { CPIIScan_growRun(p, t, n, trigger, span, $0) }
            // Triggers are span bytes (checked when the prefilter is built), so the run holds
            // t; if it ever did not, move on rather than stand still.
            guard grown.hi > t else {
                position = t + 1
                return nil
            }
            lo = grown.lo
            hi = grown.hi
            triggers = grown.triggers
        } else {
            guard digits, let (scalar, length) = decodeScalar(p, at: t, count: n), isDecimalDigit(scalar) else {
                position = t + 1
                return nil
            }
            hi = t + length
        }
        while lo > 0 {
            let c = p[lo - 1]
            if c < 0x80 {
                if span[Int(c)] == 0 { break }
                triggers &+= Int(trigger[Int(c)])
                lo -= 1
            } else {
                guard hasUnicodeSpan, let (scalar, length) = decodeScalarBefore(p, end: lo, count: n),
                      unicodeSpan.contains(scalar) else { break }
                if digits && isDecimalDigit(scalar) { triggers &+= 1 }
                lo -= length
            }
        }
        while hi < n {
            let c = p[hi]
            if c < 0x80 {
                if span[Int(c)] == 0 { break }
                triggers &+= Int(trigger[Int(c)])
                hi += 1
            } else {
                guard hasUnicodeSpan, let (scalar, length) = decodeScalar(p, at: hi, count: n),
                      unicodeSpan.contains(scalar) else { break }
                if digits && isDecimalDigit(scalar) { triggers &+= 1 }
                hi += length
            }
        }
        position = hi
        guard triggers >= minTriggers && hi - lo >= minWindow else { return nil }
        // ASCII context: all of it is the ASCII growth, and no byte >= 0x80 borders it.
        let ascii = lo == grown.lo && hi == grown.hi && (lo == 0 || p[lo - 1] < 0x80) && (hi == n || p[hi] < 0x80)
        return Window(range: lo..<hi, triggers: triggers, asciiContext: ascii)
    }
}

/// Parses a class body of ASCII characters with `a-z` ranges and `\` escapes.
func parseASCIIClass(_ text: String, patternID: String, field: String) throws(PIIScrubError) -> Set<UInt8> {
    var chars: [UInt8] = []
    var escaped: [Bool] = []
    var iterator = Array(text.utf8).makeIterator()
    while let c = iterator.next() {
        guard c < 0x80 else {
            throw PIIScrubError(.invalidPatternFile, "prefilter.\(field) must be ASCII", patternID: patternID)
        }
        if c == UInt8(ascii: "\\") {
            guard let next = iterator.next(), next < 0x80 else {
                throw PIIScrubError(.invalidPatternFile, "prefilter.\(field): dangling escape", patternID: patternID)
            }
            chars.append(next)
            escaped.append(true)
        } else {
            chars.append(c)
            escaped.append(false)
        }
    }
    var result = Set<UInt8>()
    var i = 0
    while i < chars.count {
        if i + 2 < chars.count, chars[i + 1] == UInt8(ascii: "-"), !escaped[i + 1] {
            guard chars[i] <= chars[i + 2] else {
                throw PIIScrubError(.invalidPatternFile, "prefilter.\(field): reversed range", patternID: patternID)
            }
            for b in chars[i]...chars[i + 2] { result.insert(b) }
            i += 3
        } else {
            result.insert(chars[i])
            i += 1
        }
    }
    return result
}
