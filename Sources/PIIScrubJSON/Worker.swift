#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import PIIScrub
internal import CPIIScan

extension JSONScrubber {
    /// Scrubs documents on one thread: owns a ``ScrubWorker`` and every buffer it needs.
    ///
    /// ## Thread safety
    /// Not `Sendable`: one per thread or task.
    ///
    /// ## Performance
    /// After warm-up nothing is allocated per document or per string except when a field path is
    /// counted for the first time. Strings without escapes are handed to the engine in place;
    /// strings with escapes are decoded into a reused buffer. The worst case is linear in the
    /// document size times the nesting levels of JSON text inside strings (at most
    /// ``Options/maxNestedLevels``).
    public final class Worker {
        public let engine: ScrubWorker
        public let options: Options
        let hasFieldRules: Bool
        /// Pass 1 records ``TokenEntry``s (see ``applyEntries(_:_:_:)``); not in flat mode, where
        /// every slot is a token of the document and ``applySlots(_:_:_:)`` rewrites it.
        let recordsEntries: Bool

        /// Per nesting level of JSON text: decode buffer (string content) and output buffer.
        let decode: [ByteBuffer]
        let output: [ByteBuffer]

        /// The current field path: decoded keys joined by `.`, and the end offset of each segment.
        let pathBytes = ByteBuffer(capacity: 256)
        let pathEnds = PlainStack<Int>()
        /// The field rules, and those alive along the current path by depth.
        let rules: RuleTable
        let frames: RuleFrames

        /// Matches per field path (paths are scrubbed before they leave the worker, see
        /// ``fieldCounts``). Capped in size: see ``maxDistinctPaths``.
        @exclusivity(unchecked) var pathCounts: [UInt64: (path: [UInt8], count: Int)] = [:]
        /// Distinct paths kept before further ones are counted under `(other)`.
        @exclusivity(unchecked) public var maxDistinctPaths = 4096

        /// Documents by outcome since creation.
        @exclusivity(unchecked) public internal(set) var documents = 0
        @exclusivity(unchecked) public internal(set) var changedDocuments = 0
        @exclusivity(unchecked) public private(set) var malformedDocuments = 0
        @exclusivity(unchecked) public private(set) var droppedDocuments = 0

        // Per-document state.
        @exclusivity(unchecked) var rewrites = 0
        @exclusivity(unchecked) var pendingTimestampRank: Int?
        @exclusivity(unchecked) var rowTimestamp: Int64?
        @exclusivity(unchecked) var rowTimestampRank = Int.max
        /// Engine matches (plus failures) at the last rewrite, for per-path deltas.
        @exclusivity(unchecked) var matchTotal = 0
        let patternCount: Int

        /// Batching (see ``withScrubbedDocument(_:_:)``): every string to scrub is appended to
        /// `batch` followed by a separator byte of the pattern set, and the batch is scrubbed in
        /// one engine call; then a second pass applies the per-string results.
        @exclusivity(unchecked) var pass = Pass.immediate
        let batchSeparator: UInt8
        let canBatch: Bool
        let batch = ByteBuffer(capacity: 1 << 16)
        let slotStarts = PlainStack<Int>()
        /// Per slot: the length of the key-label context before its text in the batch (0 for
        /// most; see ``keyContext``).
        let slotContexts = PlainStack<Int>()
        /// A member's key that labels a bare number or address (`"ssn"`, `"phone_number"`,
        /// `"client_ip"`) is handed to the engine with the value, as `SSN: `, `phone: ` or `ip `
        /// before it, so the patterns read it as they read `SSN: 078051120` in text; only the value is rewritten. Used where the set's
        /// patterns declare such keys (``PatternDefinition/keyLabels``), not in `--flat` mode
        /// (values only).
        let keyContext: Bool
        let keyLabels: KeyLabelTable
        /// The context for the scalar value about to be walked (set by its member's key).
        @exclusivity(unchecked) var pendingKeyContext: KeyContext?
        /// For the object about to be walked, an OTLP attribute's value: where its sibling `"key"`'s
        /// string starts (`{"key": "user.phone", "value": {"stringValue": …}}`), or -1.
        @exclusivity(unchecked) var attributeKeyAt = -1
        /// Slots of this document with a key-label context (``slotContexts`` is kept only where
        /// ``keyContext`` is on).
        @exclusivity(unchecked) var slotContextCount = 0
        @exclusivity(unchecked) var slotMatches: [Int] = []
        @exclusivity(unchecked) var matchStarts: [Int] = []
        @exclusivity(unchecked) var pieceEnds: [Int] = []
        @exclusivity(unchecked) var batchPoisoned = false
        @exclusivity(unchecked) var largeDocumentSeen = false
        @exclusivity(unchecked) var slotChanged: [Bool] = []
        let entries = PlainStack<TokenEntry>()
        let entryPaths = ByteBuffer(capacity: 4096)
        let entryPathEnds = PlainStack<Int>()
        @exclusivity(unchecked) var applySlot = 0
        @exclusivity(unchecked) var applyBase: UnsafePointer<UInt8>?
        /// The document being scrubbed: a slot whose token lies in it (not in decoded JSON text)
        /// is rewritten in pass 2 from what pass 1 recorded, without parsing again.
        @exclusivity(unchecked) var documentBase: UnsafePointer<UInt8>?
        let slotTokens = PlainStack<SlotToken>()
        /// Slots the C collector left in `flat.slots` for this document; -1 when the walk
        /// collected (into ``slotStarts`` and ``slotTokens``).
        @exclusivity(unchecked) var cSlotCount = -1
        /// ``withScrubbedDocuments(_:lines:_:)``: the documents collected into the batch so far,
        /// their slots and input bytes, and the changed ones' output.
        @exclusivity(unchecked) var grouped: [GroupedDocument] = []
        @exclusivity(unchecked) var groupSlots = 0
        @exclusivity(unchecked) var groupInput = 0
        let groupOutput = ByteBuffer(capacity: 1 << 16)
        /// Every slot of the document is a token of the document itself.
        @exclusivity(unchecked) var allSlotsDirect = true
        let slotPaths = ByteBuffer(capacity: 4096)

        enum Pass { case immediate, collect, apply }

        /// `--flat` without field rules, retention or number scrubbing: pass 1 is one C loop
        /// (``CPIIScan_jsonCollectFlat``) instead of the recursive walk, and the field path of a
        /// changed slot is rebuilt from the keys it recorded.
        let collectsInC: Bool
        let flat: FlatBuffers
        /// This document's slots came from ``collectsInC``: their paths are in ``flat``'s keys.
        @exclusivity(unchecked) var slotPathsFromKeys = false
        @exclusivity(unchecked) var keyChain: [Int32] = []
        /// Documents whose pass 1 ran in C (for tests: the walk gives the same output, only slower).
        @exclusivity(unchecked) var collectedInC = 0
        /// The one-pass AVX2 string scan where the CPU has it; false: the portable scan (tests).
        @exclusivity(unchecked) var vectorStringScan = true

        /// Strings in which no pattern can match (no trigger byte) stay out of the batch in both
        /// passes: on Langfuse-like exports with the seed set most strings, and most keys, have
        /// neither a digit nor `@`.
        let triggerFilter: TriggerFilter

        init(scrubber: JSONScrubber) {
            engine = scrubber.scrubber.makeWorker()
            triggerFilter = scrubber.scrubber.triggerFilter
            options = scrubber.options
            hasFieldRules = !options.keepFields.isEmpty || !options.onlyFields.isEmpty
            recordsEntries = !options.flat
            keyLabels = scrubber.scrubber.patternSet.keyLabels
            keyContext = !options.flat && !keyLabels.isEmpty
            patternCount = scrubber.scrubber.patternSet.patterns.count
            decode = (0...(options.maxNestedLevels + 1)).map { _ in ByteBuffer() }
            output = (0...(options.maxNestedLevels + 1)).map { _ in ByteBuffer() }
            rules = RuleTable(keep: options.keepFields, only: options.onlyFields)
            frames = RuleFrames(table: rules)
            // A separator byte: no match can contain it and `\b` sees it as a non-word character, so
            // scrubbing `a SEP b` gives `scrub(a) SEP scrub(b)` (PatternSet.separators).
            let set = scrubber.scrubber.patternSet
            let candidates: [UInt8] = [0x00, 0x1F, 0x1E, 0x1D, 0x1C, 0x0A]
            let found = candidates.first { b in
                var byte = b
                return withUnsafePointer(to: &byte) { set.cut(in: $0, near: 0, end: 1) == 1 }
            }
            batchSeparator = found ?? 0
            canBatch = found != nil && options.batching
            collectsInC = options.collectInC && canBatch && options.flat && !hasFieldRules && options.minimumTimestamp == nil
                && !options.scrubNumbers
            flat = FlatBuffers(maxDepth: collectsInC ? options.maxDepth : 0)
        }

        /// Matches per field path (dotted, array elements add no segment). Keys that are
        /// themselves PII are scrubbed out of the path before it is returned, so the result never
        /// contains a value. Malformed lines count under `(malformed)`.
        public var fieldCounts: [String: Int] {
            let pathWorker = engine.scrubber.makeWorker()
            var result: [String: Int] = [:]
            for (path, n) in pathCounts.values {
                let clean = path.withUnsafeBytes { raw in
                    pathWorker.withScrubbed(raw) { out, _ in String(decoding: out, as: UTF8.self) }
                }
                result[clean, default: 0] += n
            }
            return result
        }

        /// Scrubs one document and appends the result to `output` (nothing for a dropped row).
        ///
        /// The input is one JSON text without its line terminator (a trailing `\r` is JSON
        /// whitespace and kept). A malformed document is scrubbed as escape-aware text.
        @discardableResult
        public func scrubDocument(_ input: UnsafeRawBufferPointer, appendingTo result: inout [UInt8]) -> Outcome {
            withScrubbedDocument(input) { bytes, outcome in
                result.append(contentsOf: bytes)
                return outcome
            }
        }

        /// Scrubs one document and calls `body` with the output: the input itself when unchanged
        /// (or blank), a worker-owned buffer valid only inside `body` otherwise; empty when dropped.
        public func withScrubbedDocument<R>(
            _ input: UnsafeRawBufferPointer,
            _ body: (UnsafeRawBufferPointer, Outcome) throws -> R
        ) rethrows -> R {
            documents += 1
            let count = input.count
            if largeDocumentSeen && count < 1 << 20 {
                releaseLargeBuffers()
                largeDocumentSeen = false
            }
            if count >= 16 << 20 { largeDocumentSeen = true }
            guard count > 0, let raw = input.baseAddress else {
                return try body(input, Outcome(kind: .blank))
            }
            let base = raw.assumingMemoryBound(to: UInt8.self)
            var c = Cursor(base: base, end: count)
            c.skipWhitespace()
            if c.pos == count { return try body(input, Outcome(kind: .blank)) }

            let out = output[0]
            out.count = 0
            rewrites = 0
            pendingTimestampRank = nil
            rowTimestamp = nil
            rowTimestampRank = Int.max
            pathBytes.count = 0
            pathEnds.removeAll()
            pendingKeyContext = nil
            attributeKeyAt = -1

            let start = c.pos
            var ok: Bool
            if canBatch {
                // Pass 1 validates and collects every string to scrub into one batch.
                pass = .collect
                batch.count = 0
                slotStarts.removeAll()
                slotContexts.removeAll()
                slotContextCount = 0
                slotTokens.removeAll()
                cSlotCount = -1
                slotPaths.count = 0
                allSlotsDirect = true
                documentBase = base
                entries.removeAll()
                entryPaths.count = 0
                entryPathEnds.removeAll()
                batchPoisoned = false
                slotPathsFromKeys = false
                if collectsInC && collectFlat(base, count) {
                    ok = true
                    collectedInC += 1
                    slotPathsFromKeys = true
                } else {
                    // Not valid (or valid only by the walk's reading): the walk decides, and finds
                    // the error offset.
                    batch.count = 0
                    slotStarts.removeAll()
                    slotContexts.removeAll()
                    slotContextCount = 0
                    slotTokens.removeAll()
                    batchPoisoned = false
                    ok = parseDocument(&c, out)
                }
                if ok && slotCount > 0 {
                    var fallback = batchPoisoned
                    if !fallback {
                        fallback = engine.withScrubbed(batch.bytes) { result, outcome -> Bool in
                            guard outcome.changed else { return false }
                            guard !outcome.failed else {
                                // Scrubbed again string by string below, each failure counted there.
                                engine.discountLastFailure()
                                return true
                            }
                            if allSlotsDirect && !options.countsFieldPaths {
                                // No counts to keep: the result against the batch says which
                                // strings changed, without cutting it into pieces.
                                resetForPass(&c, out, start: start)
                                guard let copied = applyChangedSlots(result, c.base, c.end, out) else { return true }
                                c.copied = copied
                                c.pos = c.end
                                return false
                            }
                            guard splitPieces(result) else { return true }
                            // Pass 2 re-walks the document and takes each string's result.
                            applyBase = result.baseAddress!.assumingMemoryBound(to: UInt8.self)
                            countSlotMatches()
                            pass = .apply
                            applySlot = 0
                            resetForPass(&c, out, start: start)
                            // Field rules decided in pass 1 which strings became slots, so
                            // recorded slots need no rules in pass 2.
                            if allSlotsDirect {
                                c.copied = applySlots(c.base, c.end, out)
                                c.pos = c.end
                            } else if !recordsEntries {
                                ok = parseDocument(&c, out)
                            } else {
                                c.copied = applyEntries(c.base, c.end, out)
                                c.pos = c.end
                            }
                            applyBase = nil
                            return false
                        }
                    }
                    if fallback {
                        pass = .immediate
                        resetForPass(&c, out, start: start)
                        ok = parseDocument(&c, out)
                    }
                }
                pass = .immediate
            } else {
                // One engine call per string as the walk goes (no separator byte, or batching
                // off). Validate first without scrubbing: a malformed document is scrubbed as
                // text below, and the strings a walk had scrubbed before the error would be
                // counted twice.
                // (The validating walk reads the timestamp column as the scrubbing walk does.)
                var probe = c
                ok = wholeValue(&probe, out, level: 0, depth: 0, scope: .validating)
                if ok {
                    ok = parseDocument(&c, out)
                } else {
                    c.pos = probe.pos
                }
            }
            if !ok {
                malformedDocuments += 1
                let errorOffset = c.pos
                out.count = 0
                pathBytes.count = 0
                pathEnds.removeAll()
                pathBytes.append("(malformed)")
                pathEnds.append(pathBytes.count)
                lenientScrub(base, count, into: out)
                defer { if out.capacity > (64 << 20) { out.count = 0; out.trim(to: 1 << 20) } }
                return try body(out.bytes, Outcome(kind: .malformed, errorOffset: errorOffset))
            }
            if let minimum = options.minimumTimestamp, let ts = rowTimestamp, ts < minimum {
                droppedDocuments += 1
                out.count = 0
                return try body(UnsafeRawBufferPointer(start: base, count: 0),
                                Outcome(kind: .dropped, timestamp: ts))
            }
            if rewrites == 0 {
                return try body(input, Outcome(kind: .unchanged, timestamp: rowTimestamp))
            }
            changedDocuments += 1
            // Copy the tail after the last rewritten token.
            out.append(base + c.copied, count - c.copied)
            defer { if out.capacity > (64 << 20) { out.count = 0; out.trim(to: 1 << 20) } }
            return try body(out.bytes, Outcome(kind: .changed, timestamp: rowTimestamp))
        }
    }
}

extension JSONScrubber.Worker {
    func parseDocument(_ c: inout Cursor, _ out: ByteBuffer) -> Bool {
        wholeValue(&c, out, level: 0, depth: 0, scope: rootScope)
    }

    /// Gives back buffers a very long document grew (so one 100 MB line does not pin 500 MB).
    func releaseLargeBuffers() {
        for buffer in decode + output + [batch, entryPaths, slotPaths, groupOutput] where buffer.capacity > 16 << 20 {
            buffer.count = 0
            buffer.trim(to: 1 << 20)
        }
        flat.trim()
    }

    func resetForPass(_ c: inout Cursor, _ out: ByteBuffer, start: Int) {
        pendingKeyContext = nil
        attributeKeyAt = -1
        c.pos = start
        c.copied = 0
        out.count = 0
        rewrites = 0
        pathBytes.count = 0
        pathEnds.removeAll()
    }

    /// Cuts the scrubbed batch at separators; false when the pieces do not line up with the slots.
    func splitPieces(_ result: UnsafeRawBufferPointer) -> Bool {
        pieceEnds.removeAll(keepingCapacity: true)
        let base = result.baseAddress!
        var at = 0
        while at < result.count, let hit = memchr(base + at, Int32(batchSeparator), result.count - at) {
            let end = UnsafeRawPointer(hit) - base
            pieceEnds.append(end)
            at = end + 1
        }
        guard pieceEnds.count == slotCount && at == result.count else { return false }
        // A key-label context must come back as it went in (it holds nothing to match).
        if cSlotCount < 0 && slotContextCount > 0 {
            for slot in 0..<slotCount where slotContexts[slot] > 0 {
                let start = slot == 0 ? 0 : pieceEnds[slot - 1] + 1
                let length = slotContexts[slot]
                guard pieceEnds[slot] - start >= length,
                      memcmp(base + start, batch.base + slotStart(slot), length) == 0 else { return false }
            }
        }
        return true
    }

    /// The length of slot `k`'s key-label context in the batch (0 for C slots).
    @inline(__always)
    func slotContext(_ k: Int) -> Int { slotContextCount == 0 || cSlotCount >= 0 ? 0 : slotContexts[k] }

    /// Matches per slot, from the batch call's findings (for per-field counts), and which slots
    /// changed. Needs ``splitPieces(_:)`` and `applyBase` set.
    func countSlotMatches() {
        slotMatches.removeAll(keepingCapacity: true)
        let slots = slotCount
        slotMatches.append(contentsOf: repeatElement(0, count: slots))
        slotChanged.removeAll(keepingCapacity: true)
        var slot = 0
        engine.lastMatchStarts(into: &matchStarts)
        for start in matchStarts {
            while slot + 1 < slots && slotStart(slot + 1) <= start { slot += 1 }
            slotMatches[slot] += 1
        }
        // A slot without a finding is unchanged (pass 2 still compares the ones with findings).
        for n in slotMatches { slotChanged.append(n > 0) }
    }
}

/// A read position in one document, plus how far the input has been copied to the output.
struct Cursor {
    let base: UnsafePointer<UInt8>
    let end: Int
    var pos = 0
    /// Input bytes before this offset are already in the output (copy-on-change).
    var copied = 0

    init(base: UnsafePointer<UInt8>, end: Int) {
        self.base = base
        self.end = end
    }

    /// Compact JSON has at most one whitespace byte here and stays inline; indentation runs go
    /// to ``CPIIScan_jsonSkipSpace`` (16 bytes per step).
    @inline(__always)
    mutating func skipWhitespace() {
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
        guard pos < end, isSpace(base[pos]) else { return }
        pos += 1
        guard pos < end, isSpace(base[pos]) else { return }
        pos = CPIIScan_jsonSkipSpace(base, pos, end)
    }
}

/// Whether strings under the current path are scrubbed.
struct Scope {
    var kept: Bool
    var inOnly: Bool
    var scrubs: Bool { !kept && inOnly }
    /// Kept, so a walk under it only checks the JSON (no string is scrubbed, collected or counted).
    static let validating = Scope(kept: true, inOnly: false)
}

/// How a string was written, so a rewritten string keeps its style.
struct StringStyle {
    /// Non-ASCII was written as `\uXXXX` (Python `ensure_ascii`).
    var asciiOnly = false
    /// `/` was written as `\/` (ClickHouse, PHP).
    var escapeSlash = false
    /// Decoding produced a control character (`\n`, `\u0000`, ...); not a style, a hint for batching.
    var decodedControl = false
}
