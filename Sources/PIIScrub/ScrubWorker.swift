#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A scrubber with its own PCRE2 scratch and buffers, for a hot loop on one thread or task.
///
/// ## Thread safety
/// Not `Sendable`: create one per thread or task (``Scrubber/makeWorker()``) and keep it there.
/// The ``Scrubber`` it came from is shared read-only.
///
/// ## Performance
/// After warm-up, scrubbing allocates nothing: no PCRE2 state, no buffers. ``withScrubbed(_:_:)``
/// hands out the input itself when nothing matched, and a buffer owned by the worker otherwise.
public final class ScrubWorker {
    public let scrubber: Scrubber
    let state: ScrubState

    init(scrubber: Scrubber, state: ScrubState) {
        self.scrubber = scrubber
        self.state = state
    }

    /// Scrubs `input` and calls `body` with the output: `input` itself when nothing matched, or a
    /// buffer owned by this worker that is valid only inside `body`.
    @inline(__always)
    public func withScrubbed<R>(
        _ input: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer, ScrubOutcome) throws -> R
    ) rethrows -> R {
        switch scrubber.run(input, state) {
        case .unchanged:
            return try body(input, ScrubOutcome(changed: false, failed: false))
        case .changed(let output):
            return try body(output, ScrubOutcome(changed: true, failed: false))
        case .failed:
            return try scrubber.failureMarker.withUnsafeBytes { marker in
                try body(marker, ScrubOutcome(changed: true, failed: true))
            }
        }
    }

    /// Like ``withScrubbed(_:_:)`` for a block of many lines (the pipeline's unit): when the
    /// engine fails on the block, the block is scrubbed again line by line and only the lines
    /// that fail are replaced by the failure marker (their newline kept), so one pathological line
    /// does not redact its neighbours. Failing lines are counted in ``failureCount``.
    public func withScrubbedBlock<R>(
        _ input: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer, ScrubOutcome) throws -> R
    ) rethrows -> R {
        let failuresBefore = state.failures
        switch scrubber.run(input, state) {
        case .unchanged:
            return try body(input, ScrubOutcome(changed: false, failed: false))
        case .changed(let output):
            return try body(output, ScrubOutcome(changed: true, failed: false))
        case .failed:
            return try scrubLineByLine(input, failuresBefore: failuresBefore, body)
        }
    }

    /// Like ``withScrubbedBlock(_:_:)``, but hands the output to `piece` in pieces, in order: a
    /// block whose last stage replaced at most `maxReplacements` spans with fixed tokens as its
    /// unchanged stretches and the tokens between them, not copied into one buffer (for a writer
    /// that gathers them with `writev`); any other output whole. Pieces are valid until the
    /// worker's next call.
    public func scrubPieces(_ input: UnsafeRawBufferPointer, maxReplacements: Int,
                            _ piece: (UnsafeRawBufferPointer) throws -> Void) rethrows -> ScrubOutcome {
        let failuresBefore = state.failures
        switch scrubber.run(input, state, gatheringUpTo: maxReplacements) {
        case .unchanged:
            try piece(input)
            return ScrubOutcome(changed: false, failed: false)
        case .changed(let output):
            if state.gathered {
                try scrubber.forEachPiece(of: output, state, piece)
            } else {
                try piece(output)
            }
            return ScrubOutcome(changed: true, failed: false)
        case .failed:
            return try scrubLineByLine(input, failuresBefore: failuresBefore) { bytes, outcome in
                // Into a buffer of the worker, valid until its next call (the line-by-line output
                // is valid only in here).
                state.bufferA.count = 0
                state.bufferA.append(bytes)
                try piece(state.bufferA.bytes)
                return outcome
            }
        }
    }

    /// Like ``withScrubbedBlock(_:_:)``, but a changed block's output is moved into `output`
    /// (the worker's buffer and `output`'s are swapped, nothing is copied) so it outlives the
    /// call: a pipeline hands blocks to a writer thread this way. Returns what happened; when
    /// nothing changed, `output` is left as it was and the input is the output.
    public func scrubBlock(_ input: UnsafeRawBufferPointer, into output: ScrubOutput) -> ScrubOutcome {
        let failuresBefore = state.failures
        switch scrubber.run(input, state) {
        case .unchanged:
            return ScrubOutcome(changed: false, failed: false)
        case .changed(let result):
            if result.baseAddress == UnsafeRawPointer(state.bufferA.base) {
                swap(&state.bufferA, &output.buffer)
            } else if result.baseAddress == UnsafeRawPointer(state.bufferB.base) {
                swap(&state.bufferB, &output.buffer)
            } else {
                output.buffer.count = 0
                output.buffer.append(result)
            }
            return ScrubOutcome(changed: true, failed: false)
        case .failed:
            return scrubLineByLine(input, failuresBefore: failuresBefore) { bytes, outcome in
                output.buffer.count = 0
                output.buffer.append(bytes)
                return outcome
            }
        }
    }

    /// The fail-closed path of a block: scrubs it again line by line; only the lines that fail are
    /// replaced by the failure marker (their newline kept), and they are counted.
    private func scrubLineByLine<R>(
        _ input: UnsafeRawBufferPointer, failuresBefore: Int,
        _ body: (UnsafeRawBufferPointer, ScrubOutcome) throws -> R
    ) rethrows -> R {
        var fallback: [UInt8] = []
        swap(&fallback, &state.fallback)
        defer { swap(&fallback, &state.fallback) }
        fallback.removeAll(keepingCapacity: true)
        var failedLines = 0
        let marker = scrubber.failureMarker
        let separators = scrubber.patternSet.separators
        var start = 0
        while start < input.count {
            var end = input.count
            if separators.newlineIsSeparator, let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self),
               let nl = memchr(base + start, 0x0A, input.count - start) {
                end = UnsafeRawPointer(nl) - UnsafeRawPointer(base) + 1
            }
            let line = UnsafeRawBufferPointer(rebasing: input[start..<end])
            switch scrubber.run(line, state) {
            case .unchanged: fallback.append(contentsOf: line)
            case .changed(let output): fallback.append(contentsOf: output)
            case .failed:
                failedLines += 1
                fallback += marker
                if line.last == 0x0A { fallback.append(0x0A) }
            }
            start = end
        }
        state.failures = failuresBefore + max(1, failedLines)
        return try fallback.withUnsafeBytes { try body($0, ScrubOutcome(changed: true, failed: true)) }
    }

    /// Scrubs `input` and appends the result to `output` (a reusable buffer).
    @discardableResult
    public func scrub(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) -> ScrubOutcome {
        withScrubbed(input) { bytes, outcome in
            output.append(contentsOf: bytes)
            return outcome
        }
    }

    /// Scrubs a string; returns `text` itself (no copy, no allocation) when nothing matched.
    public func scrub(_ text: String) -> String {
        scrubber.scrubString(text, state)
    }

    /// Runs `body` with numbering kept across calls: with the `numbered` operator, the same value
    /// gets the same placeholder in every payload scrubbed inside (for example all fields of one
    /// trace). Scopes nest; numbering restarts after the outermost one ends.
    public func withScope<R>(_ body: () throws -> R) rethrows -> R {
        if state.scopeDepth == 0 { state.numbering.reset() }
        state.scopeDepth += 1
        defer { state.scopeDepth -= 1 }
        return try body()
    }

    /// The matches of the last call, in input byte offsets (empty after a failure).
    public func lastFindings() -> [Finding] {
        scrubber.collectFindings(state)
    }

    /// Where the last call's matches start in its input (byte offsets, ascending), into `starts`:
    /// ``lastFindings()`` without pattern ids, for callers that only count, reusing their array.
    public func lastMatchStarts(into starts: inout [Int]) {
        scrubber.collectMatchStarts(state, into: &starts)
    }

    /// Cumulative confirmed matches per pattern id since creation or ``resetCounts()``.
    public var counts: [String: Int] {
        var result: [String: Int] = [:]
        for (index, pattern) in scrubber.patternSet.patterns.enumerated() {
            result[pattern.id] = state.counts[index]
        }
        return result
    }

    /// Cumulative counts by pattern index (same order as ``PatternSet/patterns``); no allocation.
    public func count(forPatternAt index: Int) -> Int { state.counts[index] }

    /// Cumulative PCRE2 search calls by pattern index (how often the prefilter let PCRE2 run).
    public func searches(forPatternAt index: Int) -> Int { state.searches[index] }

    /// Turns on the search profile: from now on each PCRE2 search and each validator call is
    /// timed (``CPIIScan_ticks``, two counter reads a search: off by default, for tuning
    /// patterns, not for production). Search counts start again from zero; match counts are kept
    /// (``resetCounts()`` clears both).
    public func enableSearchProfile() {
        state.searches = Array(repeating: 0, count: 4 * scrubber.patternSet.patterns.count)
    }

    /// What pattern `index`'s searches cost since ``enableSearchProfile()`` (or the last
    /// ``resetCounts()``); nil while the profile is off.
    public func searchProfile(forPatternAt index: Int) -> SearchProfile? {
        let n = scrubber.patternSet.patterns.count
        guard state.searches.count == 4 * n else { return nil }
        return SearchProfile(searches: state.searches[index], regexMatches: state.searches[n + index],
                             searchTicks: state.searches[2 * n + index], validatorTicks: state.searches[3 * n + index])
    }

    /// Payloads replaced by the failure marker since creation or ``resetCounts()``.
    public var failureCount: Int { state.failures }

    /// Takes back the failure of the last call, for a caller that does not use its result and
    /// scrubs the same text again in smaller pieces that are each counted (the JSON scrubber's
    /// groups of documents), so a failing piece is counted once, not once more for the group.
    public func discountLastFailure() {
        if state.lastFailed && state.failures > 0 { state.failures -= 1 }
    }

    /// Resets counts and the failure counter.
    public func resetCounts() {
        for i in state.counts.indices { state.counts[i] = 0 }
        for i in state.searches.indices { state.searches[i] = 0 }
        state.failures = 0
    }
}

/// A buffer that receives a scrubbed block from ``ScrubWorker/scrubBlock(_:into:)`` by swapping
/// storage with the worker, so the output can be handed to another thread without a copy.
///
/// ## Thread safety
/// Not `Sendable`; pass it between threads only with a happens-before edge (a semaphore or
/// lock), as the text pipeline does with its slots.
public final class ScrubOutput {
    var buffer = ByteBuffer(capacity: 16)

    public init() {}

    /// The output of the last changed block.
    public var bytes: UnsafeRawBufferPointer { buffer.bytes }
}

/// What one pattern's PCRE2 searches cost (``ScrubWorker/searchProfile(forPatternAt:)``): how
/// often the prefilter let PCRE2 run, how often the regex matched (before validation, so more
/// than the pattern's confirmed matches where its validator refuses some), and the ticks spent in
/// the searches and in the validator. Counts and times only, never text.
public struct SearchProfile: Sendable, Hashable {
    public var searches: Int
    public var regexMatches: Int
    public var searchTicks: Int
    public var validatorTicks: Int

    public init(searches: Int = 0, regexMatches: Int = 0, searchTicks: Int = 0, validatorTicks: Int = 0) {
        self.searches = searches
        self.regexMatches = regexMatches
        self.searchTicks = searchTicks
        self.validatorTicks = validatorTicks
    }

    /// Adds another worker's profile of the same pattern.
    public static func + (a: SearchProfile, b: SearchProfile) -> SearchProfile {
        SearchProfile(searches: a.searches &+ b.searches, regexMatches: a.regexMatches &+ b.regexMatches,
                      searchTicks: a.searchTicks &+ b.searchTicks, validatorTicks: a.validatorTicks &+ b.validatorTicks)
    }
}
