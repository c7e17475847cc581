internal import PCRE2Wrapper

/// All per-worker mutable state: PCRE2 scratch, output buffers, span lists, counters.
///
/// Created once per worker and reused for every call; nothing here is allocated per call once the
/// buffers have grown to the working size.
// SAFETY: a ScrubState is used by one thread at a time. It is either owned by one `ScrubWorker`
// (which is not Sendable), or checked out of `StatePool` for the duration of one call and
// returned afterwards; the pool's mutex orders the hand-over.
final class ScrubState: @unchecked Sendable {
    var match: MatchScratch
    let bufferA = ByteBuffer()
    let bufferB = ByteBuffer()
    /// Final spans per stage, in that stage's text coordinates.
    var stageSpans: [[Span]]
    /// Replacement lengths per span of each stage, when operators made them vary.
    var stageTokenLengths: [[Int]]
    /// Candidate matches per pattern (used when a stage has several patterns).
    var candidates: [[Span]]
    /// Resolution scratch.
    var merged: [Span] = []
    var cluster: [Span] = []
    var heads: [Int] = []
    var tokenScratch: [UInt8] = []
    var fallback: [UInt8] = []
    var numbering = Numbering()
    /// Open ``ScrubWorker/withScope(_:)`` calls: numbering persists across payloads while > 0.
    var scopeDepth = 0
    /// Cumulative confirmed-match counts per pattern index.
    var counts: [Int]
    /// Cumulative PCRE2 search calls per pattern index (prefilter efficiency).
    var searches: [Int]
    /// Payloads replaced by the failure marker.
    var failures: Int = 0
    /// Whether the last call failed (its spans are then meaningless).
    var lastFailed = false
    var lastStagesRun = 0

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
        merged.reserveCapacity(64)
        cluster.reserveCapacity(16)
        heads.reserveCapacity(patternSet.patterns.count)
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

