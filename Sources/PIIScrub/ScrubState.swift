internal import PCRE2Wrapper
internal import CPIIScan

/// All per-worker mutable state: PCRE2 scratch, output buffers, span lists, counters.
///
/// Created once per worker and reused for every call; nothing here is allocated per call once the
/// buffers have grown to the working size.
// SAFETY: a ScrubState is used by one thread at a time. It is either owned by one `ScrubWorker`
// (which is not Sendable), or checked out of `StatePool` for the duration of one call and
// returned afterwards; the pool's mutex orders the hand-over. The engine never holds two
// accesses to one property at once (it swaps arrays out, works on locals, and swaps them back),
// so the dynamic exclusivity checks are turned off: they were ~17% of a short payload's cost.
final class ScrubState: @unchecked Sendable {
    @exclusivity(unchecked) var match: MatchScratch
    // `var`: ScrubWorker.scrubBlock(_:into:) swaps a result buffer out to its caller.
    @exclusivity(unchecked) var bufferA = ByteBuffer()
    @exclusivity(unchecked) var bufferB = ByteBuffer()
    /// Final spans per stage, in that stage's text coordinates.
    @exclusivity(unchecked) var stageSpans: [[Span]]
    /// Replacement lengths per span of each stage, when operators made them vary.
    @exclusivity(unchecked) var stageTokenLengths: [[Int]]
    /// Candidate matches per pattern (used when a stage has several patterns).
    @exclusivity(unchecked) var candidates: [[Span]]
    /// Deferred patterns' windows and spans; the merge scratch (deferred and remainder spans).
    @exclusivity(unchecked) var deferredWindows: [DeferredWindow] = []
    @exclusivity(unchecked) var deferredSpans: [Span] = []
    @exclusivity(unchecked) var mergedSpans: [Span] = []
    /// Resolution scratch.
    @exclusivity(unchecked) var cluster: [Span] = []
    @exclusivity(unchecked) var dropped: [Span] = []
    /// Remainders of losing candidates to search again, the view they are searched in, and the
    /// matches found there (``Scrubber``'s remainder search).
    @exclusivity(unchecked) var remainders: [Span] = []
    @exclusivity(unchecked) var remainderView: [UInt8] = []
    @exclusivity(unchecked) var remainderMatches: [Span] = []
    @exclusivity(unchecked) var heads: [Int] = []
    @exclusivity(unchecked) var tokenScratch: [UInt8] = []
    @exclusivity(unchecked) var fallback: [UInt8] = []
    @exclusivity(unchecked) var numbering = Numbering()
    /// Open ``ScrubWorker/withScope(_:)`` calls: numbering persists across payloads while > 0.
    @exclusivity(unchecked) var scopeDepth = 0
    /// Cumulative confirmed-match counts per pattern index.
    @exclusivity(unchecked) var counts: [Int]
    /// Cumulative PCRE2 search calls per pattern index (prefilter efficiency).
    @exclusivity(unchecked) var searches: [Int]
    /// Payloads replaced by the failure marker.
    @exclusivity(unchecked) var failures: Int = 0
    /// Whether the last call failed (its spans are then meaningless).
    @exclusivity(unchecked) var lastFailed = false
    @exclusivity(unchecked) var lastStagesRun = 0
    /// The last run's output was left to be gathered (``Scrubber/run(_:_:gatheringUpTo:)``).
    @exclusivity(unchecked) var gathered = false
    /// Look-ahead runs of the long-run scan (``RunBuffer``), one scan at a time.
    let runStorage = UnsafeMutablePointer<CPIIScan_Run>.allocate(capacity: RunBuffer.capacity)
    /// The gate words of the text being scanned (``BlockGate``), one per 64 bytes.
    @exclusivity(unchecked) private(set) var gateWords = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
    @exclusivity(unchecked) private var gateCapacity = 1

    init(patternSet: PatternSet, configuration: Scrubber.Configuration) {
        match = MatchScratch(maxCaptureCount: patternSet.maxCaptureCount, limits: configuration.limits,
                             useJIT: configuration.jit)
        stageSpans = Array(repeating: [], count: patternSet.stages.count)
        stageTokenLengths = Array(repeating: [], count: patternSet.stages.count)
        candidates = Array(repeating: [], count: patternSet.patterns.count)
        counts = Array(repeating: 0, count: patternSet.patterns.count)
        searches = Array(repeating: 0, count: patternSet.patterns.count)
        for i in stageSpans.indices { stageSpans[i].reserveCapacity(64) }
        for i in candidates.indices { candidates[i].reserveCapacity(64) }
        cluster.reserveCapacity(16)
        heads.reserveCapacity(3 * patternSet.patterns.count)
    }

    deinit {
        runStorage.deallocate()
        gateWords.deallocate()
    }

    /// ``gateWords`` with room for at least `count` words (contents undefined): a text's gate
    /// words and their summary (``gateSummary(_:count:)``).
    @inline(__always)
    func gateWords(capacity count: Int) -> UnsafeMutablePointer<UInt32> {
        if count > gateCapacity {
            gateWords.deallocate()
            gateCapacity = max(count, 2 * gateCapacity)
            gateWords = .allocate(capacity: gateCapacity)
        }
        return gateWords
    }
}

/// A small pool of states so the convenience entry points of ``Scrubber`` never create PCRE2
/// scratch per call (rust-pcre2 `pool.rs`: grows only with the number of simultaneous callers).
final class StatePool: Sendable {
    private let items: LockedBox<[ScrubState]>

    init() {
        var initial: [ScrubState] = []
        initial.reserveCapacity(64)
        items = LockedBox(initial)
    }

    @inline(__always)
    func take() -> ScrubState? {
        items.withLock { $0.popLast() }
    }

    @inline(__always)
    func put(_ state: ScrubState) {
        items.withLock { stack in
            if stack.count < 64 { stack.append(state) }
        }
    }
}

