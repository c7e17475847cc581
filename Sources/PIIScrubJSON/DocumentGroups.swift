import PIIScrub
internal import CPIIScan
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A document of the group ``JSONScrubber/Worker/withScrubbedDocuments(_:lines:_:)`` is
/// collecting: which line it is, and where its strings end in the batch and in the slots.
struct GroupedDocument {
    var line: Int
    var range: Range<Int>
    var batchEnd: Int
    var slotEnd: Int
    /// After the engine call: where its output is in the worker's `groupOutput` (nil: unchanged,
    /// the input is the output).
    var output: Range<Int>?
}

extension JSONScrubber.Worker {
    /// Scrubs the documents `block[lines[k]]` in order and calls `body(k, output, outcome)` for
    /// each, with the same output and outcome as ``withScrubbedDocument(_:_:)`` called for each in
    /// turn; `body` returns false to stop (no later document is scrubbed).
    ///
    /// When pass 1 runs in C and no per-field counts are kept (`jsonl --flat` without
    /// `--report`), the strings of up to 512 documents (64 KiB of text) go to the engine in one
    /// call: the engine's per-call set-up was 6 % of `jsonl --flat --patterns seed` with one call
    /// per document. A document that is not valid JSON, whose strings hold the separator, or
    /// that is longer than 1 MiB is scrubbed alone, after the documents before it; if the group's
    /// engine call fails, every document of the group is scrubbed alone (fail closed per
    /// document, as without groups).
    public func withScrubbedDocuments(_ block: UnsafeRawBufferPointer, lines: [Range<Int>],
                                      _ body: (Int, UnsafeRawBufferPointer, JSONScrubber.Outcome) -> Bool) {
        guard collectsInC && !options.countsFieldPaths, let raw = block.baseAddress else {
            for (k, line) in lines.enumerated() {
                guard withScrubbedDocument(UnsafeRawBufferPointer(rebasing: block[line]), { body(k, $0, $1) }) else { return }
            }
            return
        }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        resetGroup()
        for (k, line) in lines.enumerated() {
            if line.count < 1 << 20, collectIntoGroup(base + line.lowerBound, line.count) {
                grouped.append(GroupedDocument(line: k, range: line, batchEnd: batch.count, slotEnd: groupSlots))
                groupInput += line.count
                if batch.count >= 64 << 10 || grouped.count >= 512 || groupInput >= 1 << 20 {
                    guard flushGroup(base, body) else { return }
                }
                continue
            }
            // Alone, after the documents before it; it leaves its own strings in the batch.
            guard flushGroup(base, body),
                  withScrubbedDocument(UnsafeRawBufferPointer(rebasing: block[line]), { body(k, $0, $1) })
            else { return }
            resetGroup()
        }
        _ = flushGroup(base, body)
    }

    private func resetGroup() {
        batch.count = 0
        groupSlots = 0
        groupInput = 0
        grouped.removeAll(keepingCapacity: true)
        groupOutput.count = 0
        cSlotCount = -1
    }

    /// Pass 1 of one document into the group's batch and slots; false (and nothing added) when it
    /// is not valid JSON or one of its strings holds the separator.
    private func collectIntoGroup(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let batchStart = batch.count
        let slotStart = groupSlots
        batch.reserve(n + 64)
        while true {
            var b = flatBatch(batchCount: batchStart, slotCount: slotStart)
            switch CPIIScan_jsonCollectFlat(p, n, &b) {
            case 1:
                guard b.poisoned == 0 else {
                    batch.count = batchStart
                    return false
                }
                batch.count = b.batchCount
                groupSlots = b.slotCount
                return true
            case 0:
                batch.count = batchStart
                return false
            default:
                // A buffer was full: grow it (keeping the group's earlier documents) and collect again.
                if b.slotCount == flat.slotCapacity {
                    flat.growSlots(keeping: slotStart)
                } else if b.keyCount == flat.keyCapacity {
                    flat.growKeys()
                } else {
                    batch.count = batchStart
                    batch.reserve(batch.capacity)
                }
            }
        }
    }

    /// Scrubs the group's batch in one engine call, hands each document's output to `body` in
    /// order and empties the group; false when `body` asked to stop.
    private func flushGroup(_ base: UnsafePointer<UInt8>, _ body: (Int, UnsafeRawBufferPointer, JSONScrubber.Outcome) -> Bool) -> Bool {
        defer { resetGroup() }
        guard !grouped.isEmpty else { return true }
        var fallback = false
        if groupSlots > 0 {
            fallback = engine.withScrubbed(batch.bytes) { result, outcome -> Bool in
                guard outcome.changed else { return false }
                guard !outcome.failed else {
                    // Each document's own call counts its failure.
                    engine.discountLastFailure()
                    return true
                }
                return !applyGroup(result, base)
            }
        }
        if fallback {
            // Each document's own call reuses the batch: walk a copy of the list.
            let members = grouped
            for document in members {
                let doc = UnsafeRawBufferPointer(start: base + document.range.lowerBound, count: document.range.count)
                guard withScrubbedDocument(doc, { body(document.line, $0, $1) }) else { return false }
            }
            return true
        }
        documents += grouped.count
        collectedInC += grouped.count
        for document in grouped {
            let input = UnsafeRawBufferPointer(start: base + document.range.lowerBound, count: document.range.count)
            guard let output = document.output else {
                guard body(document.line, input, JSONScrubber.Outcome(kind: .unchanged)) else { return false }
                continue
            }
            changedDocuments += 1
            let bytes = UnsafeRawBufferPointer(start: groupOutput.base + output.lowerBound, count: output.count)
            guard body(document.line, bytes, JSONScrubber.Outcome(kind: .changed)) else { return false }
        }
        return true
    }

    /// ``applyChangedSlots(_:_:_:_:)`` for a group: walks the scrubbed batch against the batch
    /// document by document and writes each changed document into `groupOutput`, recording
    /// where. False when the result does not split into the slots' pieces.
    private func applyGroup(_ result: UnsafeRawBufferPointer, _ base: UnsafePointer<UInt8>) -> Bool {
        guard let raw = result.baseAddress else { return false }
        let scrubbed = raw.assumingMemoryBound(to: UInt8.self)
        // The slot accessors read the C collector's slots of the whole group.
        cSlotCount = groupSlots
        var r = 0, t = 0, slot = 0
        for d in grouped.indices {
            let document = grouped[d]
            let doc = base + document.range.lowerBound
            var c = Cursor(base: doc, end: document.range.count)
            let start = groupOutput.count
            guard let rewritten = walkChangedSlots(scrubbed, result.count, slots: slot..<document.slotEnd,
                                                   textEnd: document.batchEnd, r: &r, t: &t, &c, into: groupOutput)
            else { return false }
            slot = document.slotEnd
            if rewritten > 0 {
                groupOutput.append(doc + c.copied, document.range.count - c.copied)
                grouped[d].output = start..<groupOutput.count
            }
        }
        return r == result.count && t == batch.count
    }
}
