#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PIIScrub
internal import CPIIScan

// The copy-on-change rewriter: a recursive-descent validator over one document's bytes that copies
// everything verbatim except string (and number) tokens whose scrubbed content differs. Output is
// written lazily: `Cursor.copied` marks how much input is already in the output; a rewrite appends
// the untouched bytes before the token, then the re-encoded token.

/// Timestamp columns, in order of preference, per known Langfuse shape (blob export `traces/`,
/// `scores/`: `timestamp`; `observations/`, `observations_v2/`: `start_time`; UI export and trace
/// downloads: `timestamp` / `startTime`; anything else: `created_at` / `createdAt`).
let timestampKeys: [[UInt8]] = ["timestamp", "start_time", "startTime", "created_at", "createdAt"].map { Array($0.utf8) }

/// The label a member's key gives a bare number or address (see ``JSONScrubber/Worker/keyContext``): an
/// index into ``KeyLabelTable/contexts``. One byte: it is passed with every string.
struct KeyContext {
    let index: UInt8

    /// The context `key` gives in `table`, if any.
    @inline(__always)
    static func forKey(_ key: UnsafeRawBufferPointer, in table: KeyLabelTable) -> KeyContext? {
        table.context(forKey: key).map { KeyContext(index: UInt8(truncatingIfNeeded: $0)) }
    }

    /// The member names of an OTLP attribute value that hold a number as a string or a number:
    /// `stringValue`, `intValue`.
    static func isAttributeValueKey(_ key: UnsafeRawBufferPointer) -> Bool {
        (key.count == 11 && key.elementsEqual("stringValue".utf8)) || (key.count == 8 && key.elementsEqual("intValue".utf8))
    }

    /// Whether the value token at `c.pos` is 7 to 12 ASCII digits, as a string or a number, or a
    /// string holding an IPv4 address (``KeyLabelTable/isDottedQuad(_:)``): the only values a
    /// context is set for (so the string or number that takes it is that token).
    @inline(__always)
    static func precedesLabelledValue(_ c: Cursor) -> Bool {
        var i = c.pos
        let quoted = i < c.end && c.base[i] == UInt8(ascii: "\"")
        if quoted { i += 1 }
        let start = i
        while i < c.end && i - start <= 12 && c.base[i] &- UInt8(ascii: "0") < 10 { i += 1 }
        let digits = i - start
        guard digits > 0, i < c.end else { return false }
        let next = c.base[i]
        guard digits >= 7 else {
            return digits <= 3 && quoted && next == UInt8(ascii: ".") && isQuotedAddress(c.base, from: start, end: c.end)
        }
        guard digits <= 12 else { return false }
        return quoted ? next == UInt8(ascii: "\"") : next != UInt8(ascii: ".") && next | 0x20 != UInt8(ascii: "e")
    }

    /// Whether the string content at `p[start...]` (after its opening quote) is an IPv4 address
    /// up to its closing quote. Out of line: values of that shape are rare.
    @inline(never)
    static func isQuotedAddress(_ p: UnsafePointer<UInt8>, from start: Int, end n: Int) -> Bool {
        var end = start
        while end < n && end - start <= 15 && p[end] != UInt8(ascii: "\"") { end += 1 }
        return end < n && p[end] == UInt8(ascii: "\"") && KeyLabelTable.isDottedQuad(UnsafeBufferPointer(start: p + start, count: end - start))
    }

}

extension JSONScrubber.Worker {
    var rootScope: Scope { Scope(kept: false, inOnly: options.onlyFields.isEmpty) }

    // MARK: - Values

    func value(_ c: inout Cursor, _ out: ByteBuffer, level: Int, depth: Int, scope: Scope) -> Bool {
        guard c.pos < c.end else { return false }
        // Only scalar tokens are recorded (objects and arrays record their own members).
        let first = c.base[c.pos]
        // (Only pass 2 by entries reads them: not needed in flat mode, where every slot is a
        // token of the document and ``applySlots`` rewrites it.)
        let recording = level == 0 && pass == .collect && recordsEntries && first != UInt8(ascii: "{")
            && first != UInt8(ascii: "[")
        let firstSlot = slotStarts.count
        let start = c.pos
        defer {
            if recording && slotStarts.count > firstSlot {
                recordEntry(first == UInt8(ascii: "\"") ? .value : .number, start: start, end: c.pos,
                            firstSlot: firstSlot, depth: depth, scope: scope)
            }
        }
        switch c.base[c.pos] {
        case UInt8(ascii: "\""):
            return string(&c, out, level: level, depth: depth, scope: scope, isKey: false)
        case UInt8(ascii: "{"):
            if keyContext { pendingKeyContext = nil }
            return object(&c, out, level: level, depth: depth, scope: scope)
        case UInt8(ascii: "["):
            if keyContext { pendingKeyContext = nil }
            return array(&c, out, level: level, depth: depth, scope: scope)
        case UInt8(ascii: "t"):
            return literal(&c, "true")
        case UInt8(ascii: "f"):
            return literal(&c, "false")
        case UInt8(ascii: "n"):
            return literal(&c, "null")
        default:
            return number(&c, out, scope: scope)
        }
    }

    private func literal(_ c: inout Cursor, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard c.end - c.pos >= n, memcmp(c.base + c.pos, word.utf8Start, n) == 0 else { return false }
        c.pos += n
        return true
    }

    private func object(_ c: inout Cursor, _ out: ByteBuffer, level: Int, depth: Int, scope: Scope) -> Bool {
        // An OTLP attribute's value object (`{"stringValue": "…"}`): where its sibling `"key"`'s
        // string starts (``attributeKeyAt``), read only for a bare number or address.
        let attributeKeyAt = keyContext ? takeAttributeKeyAt() : -1
        guard depth < options.maxDepth else { return false }
        // Where this object's `"key": "user.phone"` member's string starts, for its `"value"`.
        var siblingKeyAt = -1
        c.pos += 1
        c.skipWhitespace()
        guard c.pos < c.end else { return false }
        if c.base[c.pos] == UInt8(ascii: "}") {
            c.pos += 1
            return true
        }
        while true {
            guard c.pos < c.end, c.base[c.pos] == UInt8(ascii: "\"") else { return false }
            // Key: decode for the path; scrub it (default mode) under the child's scope.
            let keyStart = c.pos
            guard let token = scanString(&c) else { return false }
            var style = StringStyle()
            guard let key = content(of: token, c.base, level: level, style: &style) else { return false }
            let savedPath = pathBytes.count
            if !pathEnds.isEmpty { pathBytes.append(UInt8(ascii: ".")) }
            pathBytes.append(key.baseAddress!.assumingMemoryBound(to: UInt8.self), key.count)
            pathEnds.append(pathBytes.count)
            let childScope = hasFieldRules ? scopeForCurrentPath(parent: scope, key: key) : scope
            if level == 0 && depth == 0 && options.minimumTimestamp != nil {
                pendingTimestampRank = timestampKeys.firstIndex { k in
                    k.withUnsafeBytes { $0.elementsEqual(key) }
                }
            }
            if !options.flat && childScope.scrubs {
                let firstSlot = slotStarts.count
                scrubPlain(key, &c, out, tokenStart: keyStart, tokenEnd: token.end, style: style)
                if level == 0 && pass == .collect && slotStarts.count > firstSlot {
                    recordEntry(.key, start: keyStart, end: token.end, firstSlot: firstSlot, depth: depth, scope: childScope)
                }
            }
            c.skipWhitespace()
            guard c.pos < c.end, c.base[c.pos] == UInt8(ascii: ":") else { return false }
            c.pos += 1
            c.skipWhitespace()
            // The key is read only where the value is a bare number or address (rare): reading every key cost
            // a third more instructions on trace exports.
            if keyContext {
                if KeyContext.precedesLabelledValue(c) {
                    pendingKeyContext = attributeKeyAt >= 0 && KeyContext.isAttributeValueKey(key)
                        ? attributeName(at: attributeKeyAt, c).flatMap { KeyContext.forKey($0, in: keyLabels) }
                        : KeyContext.forKey(key, in: keyLabels)
                } else {
                    pendingKeyContext = nil
                    siblingKeyAt = attributeMember(key, c, siblingKeyAt)
                }
            }
            let ok = value(&c, out, level: level, depth: depth + 1, scope: childScope)
            if keyContext { pendingKeyContext = nil }
            pendingTimestampRank = nil
            pathBytes.count = savedPath
            pathEnds.removeLast()
            guard ok else { return false }
            c.skipWhitespace()
            guard c.pos < c.end else { return false }
            let b = c.base[c.pos]
            c.pos += 1
            if b == UInt8(ascii: "}") { return true }
            guard b == UInt8(ascii: ",") else { return false }
            c.skipWhitespace()
        }
    }

    private func array(_ c: inout Cursor, _ out: ByteBuffer, level: Int, depth: Int, scope: Scope) -> Bool {
        guard depth < options.maxDepth else { return false }
        c.pos += 1
        c.skipWhitespace()
        guard c.pos < c.end else { return false }
        if c.base[c.pos] == UInt8(ascii: "]") {
            c.pos += 1
            return true
        }
        while true {
            if keyContext { pendingKeyContext = nil }  // elements have no key
            guard value(&c, out, level: level, depth: depth + 1, scope: scope) else { return false }
            c.skipWhitespace()
            guard c.pos < c.end else { return false }
            let b = c.base[c.pos]
            c.pos += 1
            if b == UInt8(ascii: "]") { return true }
            guard b == UInt8(ascii: ",") else { return false }
            c.skipWhitespace()
        }
    }

    private func number(_ c: inout Cursor, _ out: ByteBuffer, scope: Scope) -> Bool {
        let start = c.pos
        let p = c.base
        var i = c.pos
        if i < c.end && p[i] == UInt8(ascii: "-") { i += 1 }
        guard i < c.end else { return false }
        if p[i] == UInt8(ascii: "0") {
            i += 1
        } else if p[i] >= UInt8(ascii: "1") && p[i] <= UInt8(ascii: "9") {
            while i < c.end && p[i] &- UInt8(ascii: "0") < 10 { i += 1 }
        } else {
            return false
        }
        if i < c.end && p[i] == UInt8(ascii: ".") {
            i += 1
            let digits = i
            while i < c.end && p[i] &- UInt8(ascii: "0") < 10 { i += 1 }
            guard i > digits else { return false }
        }
        if i < c.end && (p[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            if i < c.end && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
            let digits = i
            while i < c.end && p[i] &- UInt8(ascii: "0") < 10 { i += 1 }
            guard i > digits else { return false }
        }
        c.pos = i
        let context = keyContext ? takeKeyContext() : nil
        if options.scrubNumbers && scope.scrubs {
            // A number that matches becomes a string token ("[PHONE]"): still valid JSON.
            let text = UnsafeRawBufferPointer(start: p + start, count: i - start)
            scrubPlain(text, &c, out, tokenStart: start, tokenEnd: i, style: StringStyle(), context: context)
        }
        return true
    }

    /// ``attributeKeyAt`` for the object being walked, once.
    @inline(__always)
    private func takeAttributeKeyAt() -> Int {
        let at = attributeKeyAt
        attributeKeyAt = -1
        return at
    }

    /// OTLP attributes (`{"key": "user.phone", "value": {"stringValue": "5471897133"}}`): a
    /// `"key"` member gives where its string starts (returned); the object of the `"value"`
    /// member after it takes that (``attributeKeyAt``), and reads the name only for a bare number
    /// or address (the name is in the same buffer: the value object is walked within this one). Other
    /// members keep `keyAt`.
    @inline(__always)
    private func attributeMember(_ key: UnsafeRawBufferPointer, _ c: Cursor, _ keyAt: Int) -> Int {
        if key.count == 3 && key.elementsEqual("key".utf8) { return c.pos }
        if key.count == 5 && keyAt >= 0 && key.elementsEqual("value".utf8) && c.pos < c.end && c.base[c.pos] == UInt8(ascii: "{") {
            attributeKeyAt = keyAt
        }
        return keyAt
    }

    /// The content of the string token at `start` of `c`'s buffer (an OTLP attribute's name, walked
    /// already), when it is a string without escapes: decoding one would take this level's buffer,
    /// which may hold the member name being read.
    private func attributeName(at start: Int, _ c: Cursor) -> UnsafeRawBufferPointer? {
        guard start < c.end, c.base[start] == UInt8(ascii: "\"") else { return nil }
        var k = c
        k.pos = start
        guard let token = scanString(&k), !token.hasEscape else { return nil }
        return UnsafeRawBufferPointer(start: c.base + token.start + 1, count: token.end - token.start - 2)
    }

    /// The key-label context of the value being walked, once.
    @inline(__always)
    private func takeKeyContext() -> KeyContext? {
        let context = pendingKeyContext
        pendingKeyContext = nil
        return context
    }

    // MARK: - Strings

    struct StringToken {
        /// Offset of the opening quote and one past the closing quote.
        var start: Int
        var end: Int
        var hasEscape: Bool
    }

    /// Scans a string token at `c.pos` (which is `"`), validating UTF-8 and rejecting raw control
    /// characters; escapes are validated when the content is decoded. Leaves `c.pos` after it.
    @inline(__always)
    func scanString(_ c: inout Cursor) -> StringToken? {
        var escape: Int32 = 0
        let close = CPIIScan_jsonStringEnd(c.base, c.pos + 1, c.end, &escape)
        guard close >= 0 else { return nil }
        let token = StringToken(start: c.pos, end: close + 1, hasEscape: escape != 0)
        c.pos = close + 1
        return token
    }

    /// The decoded content of a string token: in place when it has no escapes, else decoded into
    /// this level's buffer. `nil` for an invalid escape or a lone surrogate.
    @inline(__always)
    func content(of token: StringToken, _ base: UnsafePointer<UInt8>, level: Int,
                 style: inout StringStyle) -> UnsafeRawBufferPointer? {
        let start = token.start + 1
        let count = token.end - 1 - start
        if !token.hasEscape { return UnsafeRawBufferPointer(start: base + start, count: count) }
        let buffer = decode[level]
        guard decodeEscapes(base + start, count, into: buffer, style: &style) else { return nil }
        return buffer.bytes
    }

    /// Scrubs a string value: recursively when its content is JSON text, as text otherwise.
    private func string(_ c: inout Cursor, _ out: ByteBuffer, level: Int, depth: Int, scope: Scope,
                        isKey: Bool) -> Bool {
        let context = keyContext ? takeKeyContext() : nil
        guard let token = scanString(&c) else { return false }
        var style = StringStyle()
        guard let text = content(of: token, c.base, level: level, style: &style) else { return false }
        if let rank = pendingTimestampRank {
            pendingTimestampRank = nil
            if rank < rowTimestampRank, let ts = parseTimestamp(text) {
                rowTimestamp = ts
                rowTimestampRank = rank
            }
        }
        guard scope.scrubs else {
            // Not selected itself, but an --only-field path may continue inside its JSON text.
            if !scope.kept && !options.flat && level < options.maxNestedLevels && onlyRuleContinuesBelow()
                && looksLikeJSONText(text) {
                _ = scrubNested(text, &c, out, token: token, level: level, depth: depth, scope: scope, style: style)
            }
            return true
        }
        if !options.flat && level < options.maxNestedLevels && looksLikeJSONText(text) {
            if scrubNested(text, &c, out, token: token, level: level, depth: depth, scope: scope, style: style) {
                return true
            }
        }
        scrubPlain(text, &c, out, tokenStart: token.start, tokenEnd: token.end, style: style, context: context)
        return true
    }

    /// Parses `text` as a JSON document one level down; when it is valid, scrubs it there and
    /// writes it back (if changed) as this string. Returns false when `text` is not valid JSON.
    private func scrubNested(_ text: UnsafeRawBufferPointer, _ c: inout Cursor, _ out: ByteBuffer,
                             token: StringToken, level: Int, depth: Int, scope: Scope,
                             style: StringStyle) -> Bool {
        let inner = output[level + 1]
        let p = text.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if pass == .collect {
            // One walk that validates as it collects (pass 1 changes nothing but the batch and its
            // slots): a text that turns out not to be JSON gives back what it collected.
            let batchCount = batch.count
            let slotCount = slotStarts.count
            let tokenCount = slotTokens.count
            let pathsCount = slotPaths.count
            let direct = allSlotsDirect
            let poisoned = batchPoisoned
            let valid = walkNested(p, text.count, inner, level: level, depth: depth, scope: scope).valid
            if keyContext { pendingKeyContext = nil }
            if !valid {
                batch.count = batchCount
                slotStarts.removeLast(slotStarts.count - slotCount)
                if keyContext {
                    for k in slotCount..<slotContexts.count where slotContexts[k] > 0 { slotContextCount -= 1 }
                    slotContexts.removeLast(slotContexts.count - slotCount)
                }
                slotTokens.removeLast(slotTokens.count - tokenCount)
                slotPaths.count = pathsCount
                allSlotsDirect = direct
                batchPoisoned = poisoned
            }
            return valid
        }
        // Validate first without scrubbing, so a text that turns out not to be JSON leaves no
        // counts behind before it is scrubbed as plain text.
        guard walkNested(p, text.count, inner, level: level, depth: depth, scope: .validating).valid else { return false }
        inner.count = 0
        let before = rewrites
        let (ok, nested) = walkNested(p, text.count, inner, level: level, depth: depth, scope: scope)
        precondition(ok, "nested JSON validated but did not rewrite")
        guard rewrites != before else { return true }
        inner.append(p + nested.copied, text.count - nested.copied)
        splice(inner.bytes, style: style, &c, tokenStart: token.start, tokenEnd: token.end, into: out)
        return true
    }

    /// Walks `p[0 ..< count]` as one whole JSON text a level below `level`, and puts the key path
    /// back as it was (a walk that fails leaves it where it stopped). Returns whether it parsed,
    /// and the walk's cursor (how much of the text its output already holds).
    private func walkNested(_ p: UnsafePointer<UInt8>, _ count: Int, _ inner: ByteBuffer, level: Int, depth: Int,
                            scope: Scope) -> (valid: Bool, cursor: Cursor) {
        let savedPath = pathBytes.count
        let savedDepth = pathEnds.count
        var nested = Cursor(base: p, end: count)
        nested.skipWhitespace()
        let valid = wholeValue(&nested, inner, level: level + 1, depth: depth + 1, scope: scope)
        pathBytes.count = savedPath
        pathEnds.removeLast(pathEnds.count - savedDepth)
        if keyContext { pendingKeyContext = nil }  // a text that stopped parsing may leave one set
        return (valid, nested)
    }

    /// One whole JSON text from `c`: a value, then nothing but whitespace. With
    /// ``Scope/validating`` it is only checked: nothing is scrubbed, collected or counted.
    func wholeValue(_ c: inout Cursor, _ out: ByteBuffer, level: Int, depth: Int, scope: Scope) -> Bool {
        value(&c, out, level: level, depth: depth, scope: scope) && {
            c.skipWhitespace()
            return c.pos == c.end
        }()
    }

    /// Scrubs `text` (the decoded content of the token at `tokenStart..<tokenEnd`) and, when it
    /// changed, writes the pending input and the re-encoded string.
    ///
    /// In ``Pass/collect`` the text is only appended to the batch; in ``Pass/apply`` its scrubbed
    /// form is taken from the batch result (the passes visit strings in the same order).
    @inline(__always)
    func scrubPlain(_ text: UnsafeRawBufferPointer, _ c: inout Cursor, _ out: ByteBuffer,
                    tokenStart: Int, tokenEnd: Int, style: StringStyle, context: KeyContext? = nil) {
        // Nothing can match: no engine call, no batch slot. Both batched passes decide the same
        // way on the same text, so their slots still pair up. A value with a key-label context is
        // read with it: alone it may be shorter than any match (`{"tel": "9611022"}`).
        if context == nil && !triggerFilter.mayMatch(text) { return }
        switch pass {
        case .collect:
            // Raw string bytes are never control characters (the scanner rejects them), so only a
            // decoded string can hold a control-character separator.
            if (batchSeparator >= 0x20 || style.decodedControl) && text.count > 0
                && memchr(text.baseAddress!, Int32(batchSeparator), text.count) != nil {
                batchPoisoned = true
            }
            slotStarts.append(batch.count)
            if keyContext { collectContext(context) }
            batch.append(text)
            batch.append(batchSeparator)
            if c.base == documentBase {
                slotTokens.append(SlotToken(start: tokenStart, end: tokenEnd, style: style, pathOffset: slotPaths.count,
                                            pathLength: pathBytes.count))
                // Read only by pass 2 over direct slots (``applySlots``), for the counts: once a
                // string of JSON text inside a string was collected, this document takes the
                // entries instead.
                if allSlotsDirect && options.countsFieldPaths { slotPaths.append(pathBytes.base, pathBytes.count) }
            } else {
                allSlotsDirect = false
            }
        case .apply:
            let slot = applySlot
            applySlot += 1
            let piece = scrubbedPiece(ofSlot: slot)
            guard !sameBytes(piece, text) else { return }
            splice(piece, style: style, &c, tokenStart: tokenStart, tokenEnd: tokenEnd, into: out)
            rewrites += 1
            countCurrentPath(delta: max(1, slotMatches[slot]))
        case .immediate:
            if let context {
                scrubImmediately(text, after: context, &c, out, tokenStart: tokenStart, tokenEnd: tokenEnd, style: style)
                return
            }
            engine.withScrubbed(text) { result, outcome in
                guard outcome.changed else { return }
                splice(result, style: style, &c, tokenStart: tokenStart, tokenEnd: tokenEnd, into: out)
                rewrites += 1
                countCurrentPath()
            }
        }
    }

    /// Pass 1's record of a slot's key-label context: written before the text in the batch
    /// (pass 2 takes the piece after it, ``scrubbedPiece(ofSlot:)``), its length kept per slot.
    @inline(never)
    private func collectContext(_ context: KeyContext?) {
        guard let context else {
            slotContexts.append(0)
            return
        }
        let label = keyLabels.contexts[Int(context.index)]
        label.withUnsafeBytes { batch.append($0) }
        slotContexts.append(label.count)
        slotContextCount += 1
    }

    /// ``scrubPlain`` in ``Pass/immediate`` for a value with a key-label context.
    @inline(never)
    private func scrubImmediately(_ text: UnsafeRawBufferPointer, after context: KeyContext, _ c: inout Cursor,
                                  _ out: ByteBuffer, tokenStart: Int, tokenEnd: Int, style: StringStyle) {
        let label = keyLabels.contexts[Int(context.index)]
        let n = label.count
        var input = label
        input.append(contentsOf: text)
        input.withUnsafeBytes { labelled in
            engine.withScrubbed(labelled) { result, outcome in
                guard outcome.changed else { return }
                // The label holds nothing to match; were it changed, the whole result goes in
                // (it holds no more of the value than the value's own result).
                let kept = result.count >= n && label.withUnsafeBytes { memcmp(result.baseAddress!, $0.baseAddress!, n) == 0 }
                splice(kept ? UnsafeRawBufferPointer(rebasing: result[n...]) : result, style: style, &c,
                       tokenStart: tokenStart, tokenEnd: tokenEnd, into: out)
                rewrites += 1
                countCurrentPath()
            }
        }
    }

    // MARK: - Batched pass 2 by recorded tokens

    /// Remembers a top-level token that put strings into the batch, with what pass 2 needs to
    /// rewrite it without re-parsing the document.
    private func recordEntry(_ kind: TokenEntry.Kind, start: Int, end: Int, firstSlot: Int, depth: Int, scope: Scope) {
        let pathOffset = entryPaths.count
        entryPaths.append(pathBytes.base, pathBytes.count)
        let endsOffset = entryPathEnds.count
        entryPathEnds.append(contentsOf: pathEnds.elements)
        entries.append(TokenEntry(kind: kind, start: start, end: end, firstSlot: firstSlot, endSlot: slotStarts.count,
                                  depth: depth, scope: scope, pathOffset: pathOffset, pathLength: pathBytes.count,
                                  endsOffset: endsOffset, endsCount: pathEnds.count))
    }

    /// Pass 2 without re-parsing the whole document: rewrites only the recorded tokens whose
    /// strings changed (walking the JSON text inside a string again, with the token's path and
    /// segments restored so field rules match there as in pass 1), and returns how far the input
    /// has been copied.
    func applyEntries(_ base: UnsafePointer<UInt8>, _ count: Int, _ out: ByteBuffer) -> Int {
        var copied = 0
        for entry in entries.elements {
            var changed = false
            for slot in entry.firstSlot..<entry.endSlot where slotChanged[slot] {
                changed = true
                break
            }
            guard changed else { continue }
            applySlot = entry.firstSlot
            // Rule frames stay valid for the segments the restored path shares with the last one.
            let ends = entryPathEnds[entry.endsOffset..<entry.endsOffset + entry.endsCount]
            var shared = 0
            while shared < min(ends.count, pathEnds.count) && pathEnds[shared] == ends[ends.startIndex + shared] {
                shared += 1
            }
            while shared > 0 && memcmp(pathBytes.base, entryPaths.base + entry.pathOffset, pathEnds[shared - 1]) != 0 {
                shared -= 1
            }
            pathBytes.count = 0
            pathBytes.append(entryPaths.base + entry.pathOffset, entry.pathLength)
            pathEnds.removeAll()
            pathEnds.append(contentsOf: UnsafeBufferPointer(rebasing: ends))
            rebuildRuleFrames(after: shared)
            var c = Cursor(base: base, end: count)
            c.pos = entry.start
            c.copied = copied
            switch entry.kind {
            case .number:
                scrubPlain(UnsafeRawBufferPointer(start: base + entry.start, count: entry.end - entry.start), &c, out,
                           tokenStart: entry.start, tokenEnd: entry.end, style: StringStyle())
            case .key:
                var style = StringStyle()
                if let token = scanString(&c), let key = content(of: token, base, level: 0, style: &style) {
                    scrubPlain(key, &c, out, tokenStart: entry.start, tokenEnd: entry.end, style: style)
                }
            case .value:
                _ = string(&c, out, level: 0, depth: entry.depth, scope: entry.scope, isKey: false)
            }
            precondition(applySlot == entry.endSlot, "pass 2 consumed a different number of strings")
            copied = c.copied
        }
        return copied
    }

    /// Pass 2 when every slot is a token of the document (always in `--flat` mode): rewrites the
    /// changed slots from what pass 1 recorded, exactly as ``scrubPlain`` in ``Pass/apply`` would
    /// after parsing again, and returns how far the input has been copied.
    func applySlots(_ base: UnsafePointer<UInt8>, _ count: Int, _ out: ByteBuffer) -> Int {
        var c = Cursor(base: base, end: count)
        for slot in 0..<slotCount where slotChanged[slot] {
            let token = slotToken(slot)
            let piece = scrubbedPiece(ofSlot: slot)
            guard !sameBytes(piece, batchText(ofSlot: slot)) else { continue }
            splice(piece, style: token.style, &c, tokenStart: token.start, tokenEnd: token.end, into: out)
            rewrites += 1
            guard options.countsFieldPaths else { continue }
            if slotPathsFromKeys {
                loadKeyPath(token.pathOffset, base)
            } else {
                pathBytes.count = 0
                pathBytes.append(slotPaths.base + token.pathOffset, token.pathLength)
            }
            countCurrentPath(delta: max(1, slotMatches[slot]))
        }
        return c.copied
    }

    /// Pass 2 when every slot is a token of the document and no field counts are kept: walks
    /// the scrubbed batch against the batch (``walkChangedSlots(_:_:slots:textEnd:r:t:_:into:)``).
    /// Returns how far the input has been copied, or nil when the result does not split into the
    /// slots' pieces (the caller then scrubs string by string).
    func applyChangedSlots(_ result: UnsafeRawBufferPointer, _ base: UnsafePointer<UInt8>, _ count: Int,
                           _ out: ByteBuffer) -> Int? {
        guard let raw = result.baseAddress else { return nil }
        var c = Cursor(base: base, end: count)
        var r = 0, t = 0
        guard let rewritten = walkChangedSlots(raw.assumingMemoryBound(to: UInt8.self), result.count, slots: 0..<slotCount,
                                               textEnd: batch.count, r: &r, t: &t, &c, into: out),
              r == result.count else { return nil }
        rewrites += rewritten
        return c.copied
    }

    /// Walks one document's `slots` of the scrubbed batch (`scrubbed[0 ..< scrubbedCount]`)
    /// against the batch, from `r` and `t` (where the two are known to line up) to the end of its
    /// strings at `textEnd`: equal stretches are skipped 32 bytes a step
    /// (``CPIIScan_commonPrefix``), and each slot where the two first differ is spliced into
    /// `out`; no piece boundaries are looked for in unchanged stretches. Leaves `r` and `t` after
    /// the document and returns how many strings it rewrote, or nil when the result does not
    /// split into the slots' pieces.
    func walkChangedSlots(_ scrubbed: UnsafePointer<UInt8>, _ scrubbedCount: Int, slots: Range<Int>, textEnd: Int,
                          r: inout Int, t: inout Int, _ c: inout Cursor, into out: ByteBuffer) -> Int? {
        let text = batch.base
        let textCount = batch.count
        var slot = slots.lowerBound
        var rewritten = 0
        while slot < slots.upperBound {
            // Equal up to here: the pieces of slots before `slot` were their texts.
            let same = CPIIScan_commonPrefix(scrubbed + r, text + t, min(scrubbedCount - r, textCount - t))
            let difference = t + same
            if difference >= textEnd { break }  // the rest of the document's strings are unchanged
            guard r + same < scrubbedCount else { return nil }
            // The slot holding the first difference (a slot's separator is its own).
            var k = slot
            while k + 1 < slots.upperBound && slotStart(k + 1) <= difference { k += 1 }
            // The key-label context (if any) is before the first difference: unchanged.
            guard difference >= slotStart(k) + slotContext(k) else { return nil }
            let pieceStart = r + (slotStart(k) - t) + slotContext(k)
            guard let hit = memchr(scrubbed + r + same, Int32(batchSeparator), scrubbedCount - r - same) else { return nil }
            let pieceEnd = UnsafeRawPointer(hit) - UnsafeRawPointer(scrubbed)
            let token = slotToken(k)
            splice(UnsafeRawBufferPointer(start: scrubbed + pieceStart, count: pieceEnd - pieceStart), style: token.style,
                   &c, tokenStart: token.start, tokenEnd: token.end, into: out)
            rewritten += 1
            r = pieceEnd + 1
            t = k + 1 < slots.upperBound ? slotStart(k + 1) : textEnd
            slot = k + 1
        }
        // The rest of the document's strings are unchanged: the two sides advance together.
        r += textEnd - t
        t = textEnd
        return r <= scrubbedCount ? rewritten : nil
    }

    /// Slot `slot`'s piece of the scrubbed batch (pass 2).
    @inline(__always)
    func scrubbedPiece(ofSlot slot: Int) -> UnsafeRawBufferPointer {
        // After the key-label context, which ``splitPieces(_:)`` checked came back unchanged.
        let start = (slot == 0 ? 0 : pieceEnds[slot - 1] + 1) + slotContext(slot)
        return UnsafeRawBufferPointer(start: applyBase! + start, count: pieceEnds[slot] - start)
    }

    /// Slot `slot`'s text as pass 1 put it in the batch (without its separator).
    @inline(__always)
    func batchText(ofSlot slot: Int) -> UnsafeRawBufferPointer {
        let start = slotStart(slot) + slotContext(slot)
        let end = (slot + 1 < slotCount ? slotStart(slot + 1) : batch.count) - 1
        return UnsafeRawBufferPointer(start: batch.base + start, count: end - start)
    }

    /// Writes the input not yet copied up to `tokenStart`, then `replacement` as a string token
    /// in `style`; the token's own bytes (up to `tokenEnd`) count as copied.
    @inline(__always)
    func splice(_ replacement: UnsafeRawBufferPointer, style: StringStyle, _ c: inout Cursor, tokenStart: Int,
                tokenEnd: Int, into out: ByteBuffer) {
        out.append(c.base + c.copied, tokenStart - c.copied)
        encodeString(replacement, style: style, into: out)
        c.copied = tokenEnd
    }

    // MARK: - Paths and scopes

    private func segment(_ i: Int) -> UnsafeRawBufferPointer {
        let start = i == 0 ? 0 : pathEnds[i - 1] + 1
        return UnsafeRawBufferPointer(start: pathBytes.base + start, count: pathEnds[i] - start)
    }

    /// The scope of the key just pushed onto the path. Computes the path's rule frame at this
    /// depth (see ``RuleFrames``) from the parent's: a look among the children of the trie nodes
    /// still alive instead of every rule against the whole path at every key (28 % of a 1 MiB
    /// OTLP body's time; then 15 % with one comparison per rule still alive). `key` is the
    /// path's last segment.
    private func scopeForCurrentPath(parent: Scope, key: UnsafeRawBufferPointer) -> Scope {
        let depth = pathEnds.count
        frames.push(depth: depth, key: key, in: rules)
        var scope = parent
        let flags = frames.flags(depth)
        if flags & RuleFrames.keepEnds != 0 { scope.kept = true }
        if flags & RuleFrames.onlyEnds != 0 { scope.inOnly = true }
        return scope
    }

    /// Replaces the frames from `depth` on with the frame of the current path's first `depth`
    /// segments (``RuleFrames/push(depth:key:in:)``).
    private func pushRuleFrame(depth: Int) {
        frames.push(depth: depth, key: segment(depth - 1), in: rules)
    }

    /// (Frames 0...`valid` are known to be right.)
    func rebuildRuleFrames(after valid: Int) {
        guard hasFieldRules && valid < pathEnds.count else { return }
        for depth in (valid + 1)...pathEnds.count { pushRuleFrame(depth: depth) }
    }

    /// Whether an only-field rule is longer than the current path and matches it so far.
    private func onlyRuleContinuesBelow() -> Bool {
        frames.flags(pathEnds.count) & RuleFrames.onlyContinues != 0
    }

    /// Adds the matches since the last rewrite (or `delta`) to the current path's count.
    func countCurrentPath(delta given: Int? = nil) {
        guard options.countsFieldPaths else { return }
        var total = engine.failureCount
        for i in 0..<patternCount { total += engine.count(forPatternAt: i) }
        let delta = given ?? max(1, total - matchTotal)
        matchTotal = total
        // Keyed by a 64-bit FNV-1a hash of the path; the bytes are stored once per path.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<pathBytes.count { hash = (hash ^ UInt64(pathBytes.base[i])) &* 0x100_0000_01b3 }
        if pathCounts[hash] != nil {
            pathCounts[hash]!.count += delta
        } else if pathCounts.count < maxDistinctPaths {
            pathCounts[hash] = (Array(UnsafeRawBufferPointer(start: pathBytes.base, count: pathBytes.count)), delta)
        } else {
            pathCounts[0, default: (Array("(other)".utf8), 0)].count += delta
        }
    }
}

/// Where pass 1 found a slot's token in the document, and what pass 2 needs to rewrite it.
struct SlotToken {
    var start: Int
    var end: Int
    var style: StringStyle
    /// The field path's bytes in `slotPaths`; or, for slots collected in C
    /// (`slotPathsFromKeys`), `pathOffset` is the index of the innermost key (-1: none).
    var pathOffset: Int
    var pathLength: Int
}

/// A top-level token that fed the batch (see ``JSONScrubber/Worker/applyEntries(_:_:_:)``).
struct TokenEntry {
    enum Kind { case key, value, number }
    var kind: Kind
    var start: Int
    var end: Int
    var firstSlot: Int
    var endSlot: Int
    var depth: Int
    var scope: Scope
    var pathOffset: Int
    var pathLength: Int
    /// The path's segment ends (`pathEnds`) in ``JSONScrubber/Worker/entryPathEnds``.
    var endsOffset: Int
    var endsCount: Int
}

@inline(__always)
func sameBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
}

/// True when `text`, trimmed of JSON whitespace, starts and ends like an object, array or string.
@inline(__always)
func looksLikeJSONText(_ text: UnsafeRawBufferPointer) -> Bool {
    guard text.count >= 2 else { return false }
    var i = 0
    var j = text.count - 1
    @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
    while i < j && isSpace(text[i]) { i += 1 }
    while j > i && isSpace(text[j]) { j -= 1 }
    guard j > i else { return false }
    switch text[i] {
    case UInt8(ascii: "{"): return text[j] == UInt8(ascii: "}")
    case UInt8(ascii: "["): return text[j] == UInt8(ascii: "]")
    case UInt8(ascii: "\""): return text[j] == UInt8(ascii: "\"")
    default: return false
    }
}
