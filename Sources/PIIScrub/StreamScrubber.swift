/// Cuts a byte stream into blocks that scrub independently: each block ends right after a
/// separator (see ``PatternSet/isCuttable``), so scrubbing the blocks one by one gives exactly the
/// output of scrubbing the whole stream.
///
/// Only text after the last separator is held back. When more than `maxHoldBack` bytes arrive
/// without a separator, the framer reports an *overflow* (the caller fails closed: it emits the
/// failure marker), drops the held bytes and the rest of that run up to the next separator.
///
/// ## Thread safety
/// Not `Sendable`; one framer per stream.
public final class BlockFramer {
    public let maxHoldBack: Int
    public let minimumBlock: Int
    @usableFromInline let carry: ByteBuffer
    @usableFromInline @exclusivity(unchecked) var discarding = false
    /// ``appendIfSmall(_:)`` takes a chunk when the held-back count stays below this:
    /// min(minimumBlock, carry capacity + 1), or 0 while discarding. Refreshed by every slow path.
    @usableFromInline @exclusivity(unchecked) var fastLimit = 0

    private func refreshFastLimit() {
        fastLimit = discarding ? 0 : min(minimumBlock, carry.capacity + 1)
    }
    private let separators: SeparatorTable

    public init(patternSet: PatternSet, maxHoldBack: Int = 1 << 20, minimumBlock: Int = 4096) {
        self.maxHoldBack = max(maxHoldBack, 64)
        self.minimumBlock = max(minimumBlock, 1)
        self.separators = patternSet.separators
        // Room for a full minimum block plus a typical chunk, so small-chunk streams never regrow.
        self.carry = ByteBuffer(capacity: max(4096, 2 * self.minimumBlock))
        refreshFastLimit()
    }

    /// Bytes currently held back.
    public var pendingCount: Int { carry.count }

    /// Appends a chunk that completes no block (the common LLM-token case) and returns true;
    /// false when ``feed(_:block:overflow:)`` must look at it. Inlined into callers in other
    /// modules: a 4-byte token then costs a few nanoseconds instead of a call chain.
    @inlinable
    public func appendIfSmall(_ chunk: UnsafeRawBufferPointer) -> Bool {
        let total = carry.count + chunk.count
        guard total < fastLimit, let src = chunk.baseAddress else { return chunk.isEmpty }
        let dst = carry.base + carry.count
        let bytes = src.assumingMemoryBound(to: UInt8.self)
        if chunk.count <= 16 {
            for i in 0..<chunk.count { dst[i] = bytes[i] }
        } else {
            dst.update(from: bytes, count: chunk.count)
        }
        carry.count = total
        return true
    }

    /// Feeds a chunk; calls `block` with every block that became complete and `overflow` when a
    /// run exceeded `maxHoldBack`.
    ///
    /// Blocks are handed out straight from `chunk` where possible: only the bytes up to the
    /// chunk's first separator (joined to the held-back text) and after its last one are copied.
    public func feed(
        _ chunk: UnsafeRawBufferPointer,
        block: (UnsafeRawBufferPointer) throws -> Void,
        overflow: () throws -> Void
    ) rethrows {
        defer { refreshFastLimit() }
        guard !chunk.isEmpty else { return }
        var rest = skipDiscarded(chunk)
        guard !rest.isEmpty else { return }
        if carry.count + rest.count < minimumBlock {
            append(rest)
            return
        }
        if carry.count > 0 {
            let p = rest.baseAddress!.assumingMemoryBound(to: UInt8.self)
            guard let first = separators.firstCut(p, from: 0, end: rest.count) else {
                append(rest)
                if carry.count > maxHoldBack { try raiseOverflow(overflow) }
                return
            }
            append(UnsafeRawBufferPointer(rebasing: rest[..<first]))
            if carry.count > maxHoldBack {
                // The run that just ended was too long to hold: fail closed, keep its separator.
                carry.count = 0
                try overflow()
                rest = UnsafeRawBufferPointer(rebasing: rest[(first - 1)...])
            } else {
                try block(UnsafeRawBufferPointer(start: carry.base, count: carry.count))
                carry.count = 0
                rest = UnsafeRawBufferPointer(rebasing: rest[first...])
            }
            guard !rest.isEmpty else { return }
        }
        let p = rest.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if let cut = separators.lastCut(p, in: 0..<rest.count) {
            try block(UnsafeRawBufferPointer(rebasing: rest[..<cut]))
            append(UnsafeRawBufferPointer(rebasing: rest[cut...]))
        } else {
            append(rest)
        }
        if carry.count > maxHoldBack { try raiseOverflow(overflow) }
    }

    /// Hands out the held-back text up to its last separator now, whatever ``minimumBlock`` says
    /// (for example at the end of an LLM message); the unfinished run after it stays held.
    public func flush(block: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        defer { refreshFastLimit() }
        guard carry.count > 0, let cut = separators.lastCut(carry.base, in: 0..<carry.count) else { return }
        try block(UnsafeRawBufferPointer(start: carry.base, count: cut))
        let remaining = carry.count - cut
        if remaining > 0 { carry.base.update(from: carry.base + cut, count: remaining) }
        carry.count = remaining
    }

    /// Hands out everything still held back as a final block.
    public func finish(block: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        defer { refreshFastLimit() }
        discarding = false
        if carry.count > 0 {
            let count = carry.count
            carry.count = 0
            try block(UnsafeRawBufferPointer(start: carry.base, count: count))
        }
    }

    private func skipDiscarded(_ chunk: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard discarding else { return chunk }
        let p = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
        guard let cut = separators.firstCut(p, from: 0, end: chunk.count) else {
            return UnsafeRawBufferPointer(rebasing: chunk[chunk.count...])
        }
        discarding = false
        return UnsafeRawBufferPointer(rebasing: chunk[(cut - 1)...])  // keep the separator itself
    }

    private func raiseOverflow(_ overflow: () throws -> Void) rethrows {
        carry.count = 0
        discarding = true
        try overflow()
    }

    private func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        carry.reserveKeeping(carry.count + bytes.count)
        (carry.base + carry.count).update(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        carry.count += bytes.count
    }
}

/// Scrubs a byte stream chunk by chunk with output identical to scrubbing it whole.
///
/// Feed chunks of any size, split anywhere (inside a UTF-8 sequence, inside a match); output is
/// handed to `emit` as soon as it is final. Only the text after the last *separator* (a byte no
/// pattern can match and that `\b` sees as a non-word character; see ``PatternSet/isCuttable``)
/// is held back, because it may still become part of a match.
///
/// Invariant: for every input and every chunking, the concatenated output equals
/// ``Scrubber/scrub(_:)-([UInt8])`` of the whole input, with one documented exception that fails
/// closed: when more than `maxHoldBack` bytes arrive without a separator, the held-back run is
/// replaced by the failure marker, the rest of that run is dropped, and ``overflowCount`` counts it.
///
/// ## Thread safety
/// Not `Sendable`; one stream per task. It owns a ``ScrubWorker``.
///
/// ## Performance
/// Pending text is scrubbed once at least `minimumBlock` bytes (default 4 KiB) are held, so tiny
/// chunks (LLM tokens) are batched instead of paying one engine call (0.2 µs and up) per token;
/// call ``flush(_:)`` to emit early, e.g. at the end of a message. A chunk that completes no
/// block is appended inline (`feed` is `@inlinable`): about 3 ns for a 4-byte token. Memory is
/// bounded by `maxHoldBack` plus the largest chunk fed.
public final class StreamScrubber {
    public let worker: ScrubWorker
    public let framer: BlockFramer
    /// Runs longer than `maxHoldBack` that were redacted whole.
    public private(set) var overflowCount = 0

    public init(worker: ScrubWorker, maxHoldBack: Int = 1 << 20, minimumBlock: Int = 4096) {
        self.worker = worker
        self.framer = BlockFramer(patternSet: worker.scrubber.patternSet, maxHoldBack: maxHoldBack,
                                  minimumBlock: minimumBlock)
        // One stream is one payload for the `numbered` operator: placeholders stay consistent
        // across blocks, so streamed output equals whole-input output.
        if worker.state.scopeDepth == 0 { worker.state.numbering.reset() }
        worker.state.scopeDepth += 1
    }

    deinit {
        worker.state.scopeDepth -= 1
    }

    /// Feeds one chunk; calls `emit` zero or more times with final, scrubbed output.
    @inlinable
    public func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        if framer.appendIfSmall(chunk) { return }
        try feedBlocks(chunk, emit)
    }

    @usableFromInline
    func feedBlocks(_ chunk: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try framer.feed(chunk, block: { try scrubBlock($0, emit) }, overflow: { try overflow(emit) })
    }

    /// Feeds one chunk of a byte array.
    public func feed(_ chunk: [UInt8], _ emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try chunk.withUnsafeBytes { try feed($0, emit) }
    }

    /// Scrubs and emits everything held back up to the last separator (see
    /// ``BlockFramer/flush(block:)``); output stays identical to whole-input scrubbing.
    public func flush(_ emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try framer.flush { try scrubBlock($0, emit) }
    }

    /// Scrubs and emits everything still held back. The stream can be reused afterwards.
    public func finish(_ emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try framer.finish { try scrubBlock($0, emit) }
    }

    /// Set by ``gatherPieces(maxReplacements:)``; 0: off.
    private var gatherLimit = 0

    /// From now on, emits a block whose last stage replaced at most `maxReplacements` (>= 1)
    /// spans with fixed tokens in pieces (``ScrubWorker/scrubPieces(_:maxReplacements:_:)``: its
    /// unchanged stretches and the tokens, in order, not copied into one buffer), and ends each
    /// block's output with an empty buffer: what `emit` was given is valid until then, not after
    /// (a writer that gathers pieces writes them there). Output stays identical.
    public func gatherPieces(maxReplacements: Int) {
        gatherLimit = max(1, maxReplacements)
    }

    private func scrubBlock(_ block: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        if gatherLimit > 0 {
            _ = try worker.scrubPieces(block, maxReplacements: gatherLimit) { if !$0.isEmpty { try emit($0) } }
            try emit(UnsafeRawBufferPointer(start: nil, count: 0))
            return
        }
        try worker.withScrubbedBlock(block) { output, _ in
            if !output.isEmpty { try emit(output) }
        }
    }

    private func overflow(_ emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        overflowCount += 1
        worker.state.failures += 1
        try worker.scrubber.failureMarker.withUnsafeBytes {
            try emit($0)
            if gatherLimit > 0 { try emit(UnsafeRawBufferPointer(start: nil, count: 0)) }
        }
    }
}
