#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import PCRE2Wrapper
internal import CPIIScan

/// Scrubs UTF-8 text with a ``PatternSet``: every match is replaced by its pattern's token.
///
/// Semantics: stages run in order, each over the previous stage's output. Within a stage, each
/// pattern finds its leftmost-first, non-overlapping matches over the stage's text; overlaps
/// between patterns are resolved by priority (lower wins), then length (longer wins), then
/// position. What a losing candidate leaves beside the spans kept is searched again for its
/// pattern, as a second pass over the output would see it, and redacted where it matches. A
/// deferred pattern (``PatternDefinition/deferred``) is searched after the others, only between
/// the spans they keep. For the `seed` set this reproduces the seed's three sequential `re.sub`
/// calls.
///
/// ## Thread safety
/// `Sendable`: share one `Scrubber` everywhere. The convenience methods check a private
/// ``ScrubWorker`` state out of a small pool per call; hot loops should hold their own worker
/// (``makeWorker()``), one per thread or task.
///
/// ## Performance
/// Works on bytes; a literal prefilter keeps PCRE2 away from text that cannot match. When nothing
/// matches, ``scrub(_:)-(String)`` returns its argument without copying or allocating.
///
/// ## Untrusted input
/// Invalid UTF-8 is never rejected or repaired: invalid bytes are kept exactly and never match,
/// and PII around them is still scrubbed. Any PCRE2 error while scrubbing a payload (match limit,
/// JIT stack, internal) replaces the whole payload by ``Configuration/failureMarker`` and is counted.
///
/// ## Example
/// ```swift
/// let scrubber = Scrubber(patternSet: try PatternSet.load("seed"))
/// scrubber.scrub("mail bob@example.com")  // "mail [EMAIL]"
/// ```
public struct Scrubber: Sendable {
    /// Engine configuration.
    public struct Configuration: Sendable {
        /// Run JIT-compiled code where available (false: PCRE2 interpreter).
        public var jit: Bool = true
        /// Use the literal prefilters (false: PCRE2 searches every byte).
        public var prefilter: Bool = true
        /// PCRE2 match limits and JIT stack size.
        public var limits: MatchLimits = .init()
        /// What replaces a payload that could not be scrubbed.
        public var failureMarker: String = "[REDACTED:SCRUB-ERROR]"
        /// Replaces every pattern's own operator when set.
        public var operatorOverride: ReplacementOperator?
        /// The key for the `keyed` operator. Without one, `keyed` falls back to the fixed token.
        public var pseudonymKey: PseudonymKey?

        public init(jit: Bool = true, prefilter: Bool = true, limits: MatchLimits = .init(),
                    failureMarker: String = "[REDACTED:SCRUB-ERROR]", operatorOverride: ReplacementOperator? = nil,
                    pseudonymKey: PseudonymKey? = nil) {
            self.jit = jit
            self.prefilter = prefilter
            self.limits = limits
            self.failureMarker = failureMarker
            self.operatorOverride = operatorOverride
            self.pseudonymKey = pseudonymKey
        }

        /// Whether output of one payload depends on earlier payloads (numbered placeholders in a
        /// scope); such scrubbers must see a stream's blocks in order, on one worker.
        public func isStateless(for set: PatternSet) -> Bool {
            if let operatorOverride { return operatorOverride.isStateless }
            return set.operatorByIndex.allSatisfy(\.isStateless)
        }
    }

    public let patternSet: PatternSet
    public let configuration: Configuration
    let failureMarker: [UInt8]
    /// ``Configuration/prefilter``, and whether the run may write spans with the fixed tokens
    /// (every pattern has one and no operator overrides them), as plain values: the hot loops
    /// read these per window, and reading them through `configuration` copied its optional
    /// ``PseudonymKey`` (a retain and a release) each time, ~10,000 times per OTLP body.
    private let prefilterEnabled: Bool
    private let writesFixedTokens: Bool
    private let pool = StatePool()

    public init(patternSet: PatternSet, configuration: Configuration = .init()) {
        self.patternSet = patternSet
        self.configuration = configuration
        self.failureMarker = Array(configuration.failureMarker.utf8)
        self.prefilterEnabled = configuration.prefilter
        self.writesFixedTokens = patternSet.allFixedTokens && configuration.operatorOverride == nil
    }

    /// Creates a worker with its own PCRE2 scratch for a hot loop on one thread or task.
    public func makeWorker() -> ScrubWorker {
        ScrubWorker(scrubber: self, state: makeState())
    }

    func makeState() -> ScrubState {
        ScrubState(patternSet: patternSet, configuration: configuration)
    }

    @inline(__always)
    func withPooledState<R>(_ body: (ScrubState) throws -> R) rethrows -> R {
        let state = pool.take() ?? makeState()
        defer { pool.put(state) }
        return try body(state)
    }

    /// Scrubs a string. Returns `text` itself (no copy, no allocation) when nothing matched.
    public func scrub(_ text: String) -> String {
        withPooledState { state in scrubString(text, state) }
    }

    /// Scrubs bytes. Returns `bytes` itself (shared storage) when nothing matched.
    public func scrub(_ bytes: [UInt8]) -> [UInt8] {
        withPooledState { state in
            bytes.withUnsafeBytes { input in
                switch run(input, state) {
                case .unchanged: bytes
                case .changed(let out): Array(out)
                case .failed: failureMarker
                }
            }
        }
    }

    /// Whether anything in `text` can match: false when, with the prefilter on, no byte of it may
    /// start a trigger character of a scan group whose shortest match fits in `text`, so no
    /// prefilter window that can hold a match opens and scrubbing it would return it unchanged.
    /// A byte loop over a 256-entry table; for callers that hold many short strings (the JSON
    /// scrubber's keys and values) and can leave such text out of the engine call altogether.
    /// Always true with the prefilter off or a pattern without one.
    @inline(__always)
    public func mayMatch(_ text: UnsafeRawBufferPointer) -> Bool { triggerFilter.mayMatch(text) }

    /// ``mayMatch(_:)`` as a value for hot loops; it keeps the pattern set's tables alive.
    public var triggerFilter: TriggerFilter {
        let engine = patternSet.engine
        return TriggerFilter(owner: engine, table: configuration.prefilter ? engine.triggerBytes?.baseAddress : nil,
                             nibbles: engine.triggerNibbles?.baseAddress, groups: engine.triggerGroups,
                             fitting: engine.groupsFitting)
    }

    /// The matches in `text` as pattern ids and byte ranges of `text`'s UTF-8 (no values).
    public func findings(in text: String) -> [Finding] {
        withPooledState { state in
            var copy = text
            return copy.withUTF8 { buffer in
                _ = run(UnsafeRawBufferPointer(buffer), state)
                return collectFindings(state)
            }
        }
    }

    // MARK: Engine

    enum RunResult {
        case unchanged
        case changed(UnsafeRawBufferPointer)
        case failed
    }

    @inline(__always)
    func scrubString(_ text: String, _ state: ScrubState) -> String {
        let result = text.utf8.withContiguousStorageIfAvailable { buffer -> String? in
            scrubStringBytes(UnsafeRawBufferPointer(buffer), state)
        }
        switch result {
        case .some(.none): return text
        case .some(.some(let scrubbed)): return scrubbed
        case .none:
            // Not contiguous UTF-8 (a bridged string): make it native first.
            var copy = text
            copy.makeContiguousUTF8()
            return copy.utf8.withContiguousStorageIfAvailable { buffer in
                scrubStringBytes(UnsafeRawBufferPointer(buffer), state)
            }.flatMap { $0 } ?? copy
        }
    }

    @inline(__always)
    private func scrubStringBytes(_ input: UnsafeRawBufferPointer, _ state: ScrubState) -> String? {
        switch run(input, state) {
        case .unchanged: return nil
        case .changed(let out):
            return String(unsafeUninitializedCapacity: out.count) { dst in
                _ = dst.initialize(from: out)
                return out.count
            }
        case .failed: return configuration.failureMarker
        }
    }

    /// Runs every stage over `input`. The returned buffer belongs to `state` and is valid until
    /// its next use.
    func run(_ input: UnsafeRawBufferPointer, _ state: ScrubState) -> RunResult {
        run(input, state, gatheringUpTo: 0)
    }

    /// ``run(_:_:)``, except that where the last stage replaces between 1 and `maxGathered` spans
    /// with fixed tokens, its output is not written: the result is `.changed` with that stage's
    /// input, ``ScrubState/gathered`` is set, and ``forEachPiece(of:_:_:)`` hands the output out
    /// in pieces. For writers that gather (`writev`): on clean text, copying each block into the
    /// output buffer was 5 % of the time.
    func run(_ input: UnsafeRawBufferPointer, _ state: ScrubState, gatheringUpTo maxGathered: Int) -> RunResult {
        state.lastFailed = false
        state.gathered = false
        if state.scopeDepth == 0 && !state.numbering.isEmpty { state.numbering.reset() }
        let result = state.searches.withUnsafeMutableBufferPointer { searches in
            runStages(input, state, scratch: &state.match, searches: searches, gatheringUpTo: maxGathered)
        }
        if case .failed = result {
            for k in state.stageSpans.indices { state.stageSpans[k].removeAll(keepingCapacity: true) }
            state.failures += 1
            state.lastFailed = true
            state.lastStagesRun = 0
        } else {
            state.lastStagesRun = patternSet.stages.count
        }
        return result
    }

    // `scratch` is passed inout once per call so the loops below touch locals, not class
    // properties (which would cost a dynamic exclusivity check per access); `searches` as a
    // buffer, so counting a search costs no uniqueness check.
    @inline(__always)
    private func runStages(_ input: UnsafeRawBufferPointer, _ state: ScrubState, scratch: inout MatchScratch,
                           searches: UnsafeMutableBufferPointer<Int>, gatheringUpTo maxGathered: Int) -> RunResult
    {
        var text = input
        var changed = false
        var useA = true
        let engine = patternSet.engine
        let stageCount = engine.stages.count
        var candidates: [[Span]] = []
        swap(&candidates, &state.candidates)
        defer { swap(&candidates, &state.candidates) }
        for s in 0..<stageCount {
            var spans: [Span] = []
            swap(&spans, &state.stageSpans[s])
            if !spans.isEmpty { spans.removeAll(keepingCapacity: true) }
            do {
                try collect(engine.stages[s], engine: engine, text: text, state: state, candidates: &candidates,
                            scratch: &scratch, searches: searches, into: &spans)
            } catch {
                swap(&spans, &state.stageSpans[s])
                return .failed
            }
            if !spans.isEmpty {
                if s == stageCount - 1 && writesFixedTokens && spans.count <= maxGathered {
                    // Left for the caller to gather: `text` stays this stage's input.
                    state.gathered = true
                } else {
                    let out = useA ? state.bufferA : state.bufferB
                    useA.toggle()
                    if writesFixedTokens {
                        write(text, spans: spans, tokens: engine.tokens, to: out)
                    } else {
                        writeWithOperators(text, spans: spans, state: state, stage: s, to: out)
                    }
                    text = out.bytes
                }
                for span in spans { state.counts[span.pattern] &+= 1 }
                changed = true
            }
            swap(&spans, &state.stageSpans[s])
        }
        return changed ? .changed(text) : .unchanged
    }

    /// Finds the accepted spans of stage `s`, sorted by start, non-overlapping.
    @inline(__always)
    private func collect(_ stage: StagePlan, engine: EngineTables, text: UnsafeRawBufferPointer, state: ScrubState,
                         candidates: inout [[Span]], scratch: inout MatchScratch, searches: UnsafeMutableBufferPointer<Int>,
                         into spans: inout [Span]) throws(PCRE2Error)
    {
        let patterns = stage.patterns
        for index in patterns where !candidates[index].isEmpty { candidates[index].removeAll(keepingCapacity: true) }
        // The windows of groups with deferred patterns, searched for them once the others' spans
        // are known.
        let hasDeferred = !stage.deferred.isEmpty
        var windows: [DeferredWindow] = []
        if hasDeferred {
            swap(&windows, &state.deferredWindows)
            windows.removeAll(keepingCapacity: true)
        }
        defer { if hasDeferred { swap(&windows, &state.deferredWindows) } }
        // One pass marks, for every gated group, the 64-byte blocks that may hold its windows.
        var gateWords: UnsafePointer<UInt32>?
        if prefilterEnabled, let gate = stage.gate, text.count >= BlockGate.minimumLength, let base = text.baseAddress {
            // The words, then their summary (see ``gateSummary(_:count:)``).
            let blocks = (text.count + 63) >> 6
            let words = state.gateWords(capacity: blocks + (blocks + 63) >> 6)
            if CPIIScan_gateBlocks(base.assumingMemoryBound(to: UInt8.self), text.count, gate, words) != 0 {
                CPIIScan_summarizeGateWords(words, blocks, words + blocks)
                gateWords = UnsafePointer(words)
            }
        }
        // The search profile (``ScrubWorker/enableSearchProfile()``) makes `searches` four rows.
        let timed = searches.count != engine.patterns.count
        for (g, group) in stage.groups.enumerated() {
            let groupGateWords = group.gateMask != 0 ? gateWords : nil
            if !timed {
                try search(group, g, engine: engine, text: text, gateWords: groupGateWords, candidates: &candidates,
                           scratch: &scratch, searches: searches, timing: Untimed.self, runStorage: state.runStorage,
                           deferredWindows: &windows)
            } else {
                try search(group, g, engine: engine, text: text, gateWords: groupGateWords, candidates: &candidates,
                           scratch: &scratch, searches: searches, timing: Timed.self, runStorage: state.runStorage,
                           deferredWindows: &windows)
            }
        }
        if !state.remainders.isEmpty { state.remainders.removeAll(keepingCapacity: true) }
        resolve(stage.primary, candidates: &candidates, text: text, state: state, into: &spans)
        if !state.remainders.isEmpty {
            try searchRemainders(engine: engine, text: text, state: state, spans: &spans, scratch: &scratch,
                                 searches: searches, timed: timed)
        }
        guard !windows.isEmpty else { return }
        if !timed {
            try searchDeferred(stage, windows: windows, kept: spans, engine: engine, text: text,
                               candidates: &candidates, remainders: &state.remainders, scratch: &scratch,
                               searches: searches, timing: Untimed.self)
        } else {
            try searchDeferred(stage, windows: windows, kept: spans, engine: engine, text: text,
                               candidates: &candidates, remainders: &state.remainders, scratch: &scratch,
                               searches: searches, timing: Timed.self)
        }
        var deferredSpans: [Span] = []
        swap(&deferredSpans, &state.deferredSpans)
        defer { swap(&deferredSpans, &state.deferredSpans) }
        deferredSpans.removeAll(keepingCapacity: true)
        resolve(stage.deferred, candidates: &candidates, text: text, state: state, into: &deferredSpans)
        // Both lists are sorted and no deferred span overlaps a kept one.
        if !deferredSpans.isEmpty { Self.merge(deferredSpans, into: &spans, scratch: &state.mergedSpans) }
        // The remainders of the deferred patterns' losers and of their matches dropped in a gap.
        if !state.remainders.isEmpty {
            try searchRemainders(engine: engine, text: text, state: state, spans: &spans, scratch: &scratch,
                                 searches: searches, timed: timed)
        }
    }

    /// Searches each remainder of a losing candidate (``flush(_:dropped:remainders:text:into:)``,
    /// `state.remainders`) for the candidate's pattern again, as a second pass over the output
    /// would: in a view of the remainder with up to 64 bytes of the text on each side, the
    /// nearest span on each side within them replaced by its pattern's token. The matches (with
    /// the validator's word) that end inside the remainder are added to `spans`. A remainder may
    /// overlap spans (a deferred match dropped in its gap, ``searchDeferred``): its pieces
    /// between them are searched.
    ///
    /// A losing candidate was dropped whole: what the winner left of it could be a value of its
    /// kind that its search never saw, its context having been part of the candidate (an IPv6
    /// address kept over the phone number before it, `+1-555-123-4567::9`, left `+1-555-123-`).
    /// Redacting every remainder instead redacted labels and neighbours (`Authorization: Bearer`
    /// before a kept JWT, the year after a kept SSN): 26 hold-out records changed.
    private func searchRemainders(engine: EngineTables, text: UnsafeRawBufferPointer, state: ScrubState,
                                  spans: inout [Span], scratch: inout MatchScratch,
                                  searches: UnsafeMutableBufferPointer<Int>, timed: Bool) throws(PCRE2Error) {
        if timed {
            try searchRemainders(engine: engine, text: text, state: state, spans: &spans, scratch: &scratch,
                                 searches: searches, timing: Timed.self)
        } else {
            try searchRemainders(engine: engine, text: text, state: state, spans: &spans, scratch: &scratch,
                                 searches: searches, timing: Untimed.self)
        }
    }

    /// The remainder search for one timing (the search profile's or none).
    private func searchRemainders<T: SearchTiming>(engine: EngineTables, text: UnsafeRawBufferPointer, state: ScrubState,
                                                   spans: inout [Span], scratch: inout MatchScratch,
                                                   searches: UnsafeMutableBufferPointer<Int>, timing: T.Type) throws(PCRE2Error)
    {
        var remainders: [Span] = []
        swap(&remainders, &state.remainders)
        defer {
            remainders.removeAll(keepingCapacity: true)
            swap(&remainders, &state.remainders)
        }
        var view: [UInt8] = []
        swap(&view, &state.remainderView)
        defer { swap(&view, &state.remainderView) }
        var found: [Span] = []
        swap(&found, &state.remainderMatches)
        defer { swap(&found, &state.remainderMatches) }
        found.removeAll(keepingCapacity: true)
        for remainder in remainders {
            // The spans that end after the remainder's start (ends grow with starts); the pieces
            // of the remainder between them.
            var low = 0, high = spans.count
            while low < high {
                let middle = (low + high) / 2
                if spans[middle].end <= remainder.start { low = middle + 1 } else { high = middle }
            }
            var next = low
            var at = remainder.start
            while at < remainder.end {
                if next < spans.count && spans[next].start <= at {
                    at = max(at, spans[next].end)
                    next += 1
                    continue
                }
                let pieceEnd = next < spans.count ? min(remainder.end, spans[next].start) : remainder.end
                try searchRemainderPiece(at..<pieceEnd, of: remainder.pattern, between: next, spans, engine: engine,
                                         text: text, view: &view, into: &found, scratch: &scratch, searches: searches,
                                         timing: timing)
                at = pieceEnd
            }
        }
        guard !found.isEmpty else { return }
        // Remainders of different losers (a deferred match dropped in its gap, the losers of a
        // cluster) may overlap: the first match by start wins.
        found.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        var kept = 0
        for i in 0..<found.count where kept == 0 || found[i].start >= found[kept - 1].end {
            found[kept] = found[i]
            kept += 1
        }
        found.removeSubrange(kept...)
        Self.merge(found, into: &spans, scratch: &state.mergedSpans)
    }

    /// Merges `more` into `spans` by start (both sorted, no span of one overlapping the other's),
    /// through `scratch`, which keeps its capacity for the next call.
    @inline(__always)
    static func merge(_ more: [Span], into spans: inout [Span], scratch: inout [Span]) {
        scratch.removeAll(keepingCapacity: true)
        var i = 0, j = 0
        while i < spans.count || j < more.count {
            if j == more.count || (i < spans.count && spans[i].start < more[j].start) {
                scratch.append(spans[i])
                i += 1
            } else {
                scratch.append(more[j])
                j += 1
            }
        }
        swap(&spans, &scratch)
    }

    /// The accepted spans of `patterns` (a stage's patterns in priority order, or a part of them)
    /// from their candidate lists, into `spans` (empty).
    @inline(__always)
    private func resolve(_ patterns: UnsafeBufferPointer<Int>, candidates: inout [[Span]], text: UnsafeRawBufferPointer,
                         state: ScrubState, into spans: inout [Span]) {
        if patterns.count == 1 {
            swap(&spans, &candidates[patterns[0]])
            return
        }
        // Only one pattern with candidates (the usual case): its list is sorted and
        // non-overlapping, so it is the stage's result as it is.
        var withCandidates = 0
        var only = -1
        for index in patterns where !candidates[index].isEmpty {
            withCandidates += 1
            only = index
        }
        if withCandidates == 1 {
            swap(&spans, &candidates[only])
        } else if withCandidates > 1 {
            resolve(stage: patterns, candidates: candidates, text: text, state: state, into: &spans)
        }
    }

    /// The matches of a stage's deferred patterns (``PatternDefinition/deferred``) in the
    /// windows their groups found, starting outside `kept` (the stage's other patterns' spans,
    /// sorted), appended to their candidate lists. A pattern's matches are a leftmost-first
    /// sequence as elsewhere, carried from window to window, with starts only in the gaps
    /// between kept spans, at least the pattern's minimum length before the gap's end (a match
    /// starting later would run into the kept span). A match that runs into the next kept span
    /// is dropped (it could not win) and goes to `remainders`, to be searched again; the search
    /// goes on after it.
    private func searchDeferred<T: SearchTiming>(_ stage: StagePlan, windows: [DeferredWindow], kept: [Span],
                                                 engine: EngineTables, text: UnsafeRawBufferPointer,
                                                 candidates: inout [[Span]], remainders: inout [Span], scratch: inout MatchScratch,
                                                 searches: UnsafeMutableBufferPointer<Int>, timing: T.Type) throws(PCRE2Error)
    {
        // The windows come group by group, each group's in text order; a deferred pattern belongs
        // to one group, so each pattern walks its group's windows and the kept spans once.
        var groupStart = 0
        while groupStart < windows.count {
            let g = windows[groupStart].group
            var groupEnd = groupStart + 1
            while groupEnd < windows.count && windows[groupEnd].group == g { groupEnd += 1 }
            let plan = stage.groups[g]
            for index in plan.deferred {
                var list: [Span] = []
                swap(&list, &candidates[index])
                defer { swap(&list, &candidates[index]) }
                var from = 0  // where the pattern's search goes on
                var k = 0  // the first kept span that ends after `from`
                for w in windows[groupStart..<groupEnd]
                where !passesOver(w.start..<w.end, of: index, engine: engine, triggers: w.triggers,
                                  asciiContext: w.asciiContext, skipNonASCIIOnly: w.asciiContext && prefilterEnabled,
                                  text: text) {
                    let startLimit = w.end - engine.minLength[index]
                    from = max(from, w.start)
                    while from <= startLimit {
                        while k < kept.count && kept[k].end <= from { k += 1 }
                        if k < kept.count && kept[k].start <= from {
                            from = kept[k].end
                            continue
                        }
                        // A match must end by the gap's end: it starts at most minLength before.
                        let gapEnd = k < kept.count ? kept[k].start : Int.max
                        let limit = min(startLimit, gapEnd - engine.minLength[index])
                        if from > limit {
                            guard k < kept.count else { break }
                            from = kept[k].end
                            continue
                        }
                        let listed = list.count
                        let reached = try windowMatches(of: index, engine: engine, asciiContext: w.asciiContext,
                                                        window: from..<w.end, startLimit: limit, text: text, into: &list,
                                                        scratch: &scratch, searches: searches, timing: timing)
                        // Only the last match can run into the kept span: the next search starts at
                        // its end.
                        if list.count > listed && list[list.count - 1].end > gapEnd { remainders.append(list.removeLast()) }
                        // Every start up to `limit` is searched (the skip past the kept span is above).
                        from = max(reached, limit + 1)
                    }
                }
            }
            groupStart = groupEnd
        }
    }

    /// Each pattern's leftmost-first, non-overlapping matches over `text`, appended in order to
    /// `candidates[patternIndex]`. Patterns of a group share one prefilter scan: over the whole
    /// text, or with `gateWords` (``BlockGate``) over the group's stretches only.
    @inline(__always)
    private func search<T: SearchTiming>(_ group: GroupPlan, _ groupIndex: Int, engine: EngineTables, text: UnsafeRawBufferPointer,
                        gateWords: UnsafePointer<UInt32>?,
                        candidates: inout [[Span]], scratch: inout MatchScratch, searches: UnsafeMutableBufferPointer<Int>, timing: T.Type,
                        runStorage: UnsafeMutablePointer<CPIIScan_Run>, deferredWindows: inout [DeferredWindow])
        throws(PCRE2Error)
    {
        let n = text.count
        guard prefilterEnabled, let prefilter = group.prefilter, let base = text.baseAddress else {
            // PCRE2 alone: the whole text is one window that every pattern of the group searches.
            _ = try searchWindow(group, engine: engine, window: 0..<n, triggers: Int.max, asciiContext: false,
                                 text: text, candidates: &candidates, scratch: &scratch, searches: searches, timing: timing)
            if !group.deferred.isEmpty {
                deferredWindows.append(DeferredWindow(group: groupIndex, start: 0, end: n, triggers: Int.max, asciiContext: false))
            }
            return
        }
        let p = base.assumingMemoryBound(to: UInt8.self)
        // A group marked in many blocks (a common trigger byte in this text) is scanned whole:
        // its stretches would cover most of the text, each started at a cost.
        guard let gateWords,
              CPIIScan_countGateBlocks(gateWords, gateSummary(gateWords, count: n), (n + 63) >> 6, group.gateMask)
                * group.gateDenseShare <= (n + 63) >> 6
        else {
            _ = try scan(group, groupIndex, prefilter, engine: engine, text: text, p, from: 0, to: n, candidates: &candidates,
                         scratch: &scratch, searches: searches, timing: timing, runStorage: runStorage,
                         deferredWindows: &deferredWindows)
            return
        }
        var position = 0
        while let stretch = nextGateStretch(p, count: n, words: gateWords, mask: group.gateMask,
                                            nibbles: prefilter.nibbles, lookBack: group.gateLookBack,
                                            from: position) {
            let reached = try scan(group, groupIndex, prefilter, engine: engine, text: text, p, from: stretch.lowerBound,
                                   to: stretch.upperBound, candidates: &candidates, scratch: &scratch,
                                   searches: searches, timing: timing, runStorage: runStorage,
                                   deferredWindows: &deferredWindows)
            position = max(reached, stretch.upperBound)
        }
    }

    /// The prefilter scan of `group` over `p[from ..< end]` as if `end` were the text's end, and
    /// each window's patterns (the text's real end judges a window's ASCII context). `end` is
    /// the text's end or an ASCII byte outside the span, which no window crosses. Returns where
    /// the scan stopped: `end`, or past it when a match ran past its window (then the next
    /// stretch starts there: `nextWindow` itself stops at `end`, so the furthest match end is
    /// kept apart).
    @inline(__always)
    private func scan<T: SearchTiming>(_ group: GroupPlan, _ groupIndex: Int, _ prefilter: PrefilterCore, engine: EngineTables,
                      text: UnsafeRawBufferPointer, _ p: UnsafePointer<UInt8>, from: Int, to end: Int, candidates: inout [[Span]],
                      scratch: inout MatchScratch, searches: UnsafeMutableBufferPointer<Int>, timing: T.Type,
                      runStorage: UnsafeMutablePointer<CPIIScan_Run>, deferredWindows: inout [DeferredWindow]) throws(PCRE2Error) -> Int
    {
        let n = text.count
        var position = from
        var reached = from
        var runs = RunBuffer(storage: runStorage, capacity: RunBuffer.capacity)
        if group.patterns.count == 1 && group.deferred.isEmpty {
            // The common case, kept free of per-window array traffic.
            let index = group.patterns[0]
            let minLength = engine.minLength[index]
            // A byte-trigger window holds its trigger: no need to look for it again.
            let checkRequired = !(prefilter.strategy == .byteTriggerRuns
                && engine.requiredByte[index] == Int32(prefilter.triggerByte))
            var list: [Span] = []
            swap(&list, &candidates[index])
            defer { swap(&list, &candidates[index]) }
            let skipASCIIWindows = engine.requiresNonASCII[index] && prefilterEnabled
            while let found = prefilter.nextWindow(p, from: &position, count: end, runs: &runs) {
                let window = found.range
                let asciiContext = hasWideASCIIContext(found, p, count: n)
                if skipASCIIWindows && asciiContext { continue }
                if cannotHoldMatch(engine, index, p, count: n, window, checkRequired: checkRequired,
                                   asciiContext: asciiContext) { continue }
                let at = try windowMatches(of: index, engine: engine, asciiContext: asciiContext,
                                           window: window, startLimit: window.upperBound - minLength, text: text,
                                           into: &list, scratch: &scratch, searches: searches, timing: timing)
                // A match can only end past the window if the prefilter's span claim is wrong;
                // never search inside a region already matched.
                if at > position { position = at }
                reached = max(reached, at)
            }
            return max(position, reached)
        }
        while let found = prefilter.nextWindow(p, from: &position, count: end, runs: &runs) {
            let asciiContext = hasWideASCIIContext(found, p, count: n)
            let furthest = try searchWindow(group, engine: engine, window: found.range, triggers: found.triggers,
                                            asciiContext: asciiContext, text: text, candidates: &candidates,
                                            scratch: &scratch, searches: searches, timing: timing)
            if !group.deferred.isEmpty {
                deferredWindows.append(DeferredWindow(group: groupIndex, start: found.range.lowerBound,
                                                      end: found.range.upperBound, triggers: found.triggers,
                                                      asciiContext: asciiContext))
            }
            position = max(position, furthest)
            reached = max(reached, furthest)
        }
        return max(position, reached)
    }

    /// The window's ``PrefilterCore/Window/asciiContext`` with two ASCII bytes on each side
    /// instead of one: where the ASCII variants are used. A declared
    /// ``PatternDefinition/asciiRegex`` may hold lookaround; the classes it changes must be
    /// tested only on characters the match could consume (span bytes, so inside the window) or
    /// at most two characters before or after them.
    @inline(__always)
    private func hasWideASCIIContext(_ window: PrefilterCore.Window, _ p: UnsafePointer<UInt8>, count n: Int) -> Bool {
        let r = window.range
        return window.asciiContext && (r.lowerBound < 2 || p[r.lowerBound - 2] < 0x80)
            && (r.upperBound + 1 >= n || p[r.upperBound + 1] < 0x80)
    }

    /// ``matches(of:engine:asciiContext:window:startLimit:text:into:scratch:searches:)`` for a
    /// prefilter window; for a pattern with a ``PrefilterDefinition/digitRun`` claim, only the
    /// starts that claim allows: within `digitRunWithin` bytes before each run of at least
    /// `digitRun` ASCII digits, up to where the run still holds that many. (A match's run of
    /// `k` digits lies in a maximal run [a, b) of the text, so it starts in
    /// [a − within, b − k].) The regions are visited left to right and never behind the last
    /// match, so the matches are the same leftmost-first sequence as a search of the whole
    /// window's starts.
    @inline(__always)
    private func windowMatches<T: SearchTiming>(of index: Int, engine: EngineTables, asciiContext: Bool,
                               window: Range<Int>, startLimit: Int, text: UnsafeRawBufferPointer,
                               into list: inout [Span], scratch: inout MatchScratch,
                               searches: UnsafeMutableBufferPointer<Int>, timing: T.Type) throws(PCRE2Error) -> Int
    {
        let k = engine.digitRun[index]
        // With the prefilter off (the exhaustive reference the tests compare with) every start is
        // searched; so is every start of a window without ASCII context when the pattern's digits
        // may be other Nd characters.
        guard k > 0, prefilterEnabled, asciiContext || !engine.digitRunASCIIOnly[index],
              let base = text.baseAddress else {
            return try matches(of: index, engine: engine, asciiContext: asciiContext, window: window,
                               startLimit: startLimit, text: text, into: &list, scratch: &scratch, searches: searches, timing: timing)
        }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let within = engine.digitRunWithin[index]
        var at = window.lowerBound
        var i = window.lowerBound
        // A run of `k` starting past `startLimit + within` could only serve a match starting past
        // the limit: the scan stops there. (Scanning to the window's end made the deferred search
        // of a long window quadratic, one scan to its end per gap between kept spans: 0.7 s for a
        // 1 MB line of 4-digit groups, each gap's search of `phone-bare`.) A run cut at that end
        // gives `limit` as the whole run would: its end less `k` is past the limit either way.
        let end = window.upperBound
        let (reach, overflow) = startLimit.addingReportingOverflow(within &+ k)
        let scanEnd = overflow ? end : min(end, reach)
        while i < scanEnd {
            var runEnd = scanEnd
            let a = CPIIScan_findDigitRun(p, i, scanEnd, k, &runEnd)
            guard a < scanEnd else { break }
            i = runEnd
            let from = max(at, a - within)
            let limit = min(i - k, startLimit)
            guard from <= limit else { continue }
            at = try matches(of: index, engine: engine, asciiContext: asciiContext, window: from..<end,
                             startLimit: limit, text: text, into: &list, scratch: &scratch, searches: searches, timing: timing)
        }
        return at
    }

    /// One pattern's leftmost-first matches starting in `window.lowerBound...startLimit`,
    /// appended to `list`; a candidate its validator rejects is cut back where the validator
    /// allows (``EngineTables/acceptedCut(_:in:_:)``), else retried from the next character.
    /// Returns where the search stopped (the end of the last match, or the window's start).
    ///
    /// A window with ASCII context is searched with the pattern's ASCII-class variant first; a
    /// match of it that ends past the window is outside what makes it exact (``ASCIIVariant``),
    /// so the window is searched on from there with the Unicode pattern.
    ///
    /// With the search profile on (``ScrubWorker/enableSearchProfile()``), `searches` holds four
    /// rows and `timing` is ``Timed``: each search and validator call is timed. The engine is
    /// specialised for each timing, so the copy that runs by default has no timing code.
    @inline(__always)
    private func matches<T: SearchTiming>(of index: Int, engine: EngineTables, asciiContext: Bool,
                                          window: Range<Int>, startLimit: Int, text: UnsafeRawBufferPointer,
                                          into list: inout [Span], scratch: inout MatchScratch,
                                          searches: UnsafeMutableBufferPointer<Int>, timing: T.Type) throws(PCRE2Error) -> Int
    {
        let profiled = T.isOn
        let compiled = engine.patterns[index]
        var at = window.lowerBound
        var pattern = asciiContext ? engine.asciiPatterns[index] : compiled
        var checkEnd = asciiContext
        while at <= startLimit {
            searches[index] &+= 1
            let searchStart = profiled ? CPIIScan_ticks() : 0
            let found = try pattern.firstMatch(in: text, from: at, startLimit: startLimit, scratch: &scratch)
            if profiled { profileSearch(index, searches, start: searchStart, found: found != nil) }
            guard let m = found else { break }
            if checkEnd && m.upperBound > window.upperBound {
                pattern = compiled
                checkEnd = false
                continue
            }
            let validationStart = profiled ? CPIIScan_ticks() : 0
            let rejected = engine.rejects(index, in: text, m)
            // A refused match's cuts run the validator again: timed with it.
            let cut = rejected ? engine.acceptedCut(index, in: text, m) : nil
            if profiled { profileValidation(index, searches, start: validationStart) }
            if rejected {
                if let cut {
                    list.append(Span(start: cut.lowerBound, end: cut.upperBound, pattern: index))
                    at = cut.upperBound
                    continue
                }
                at = nextCharacter(after: m.lowerBound, in: text)
                continue
            }
            list.append(Span(start: m.lowerBound, end: m.upperBound, pattern: index))
            at = m.upperBound
        }
        return at
    }

    /// Adds a search's ticks and whether it matched to the profile rows of `searches`.
    @inline(never)
    private func profileSearch(_ index: Int, _ searches: UnsafeMutableBufferPointer<Int>, start: UInt64, found: Bool) {
        let n = searches.count / 4
        if found { searches[n + index] &+= 1 }
        searches[2 * n + index] &+= Self.ticks(since: start)
    }

    /// Adds a validator call's ticks to the profile rows of `searches`.
    @inline(never)
    private func profileValidation(_ index: Int, _ searches: UnsafeMutableBufferPointer<Int>, start: UInt64) {
        searches[3 * (searches.count / 4) + index] &+= Self.ticks(since: start)
    }

    /// Ticks since `start`; 0 if the counter went back (a thread moved to a core whose counter is
    /// behind).
    private static func ticks(since start: UInt64) -> Int {
        let now = CPIIScan_ticks()
        return now >= start ? Int(truncatingIfNeeded: now &- start) : 0
    }

    /// Whether a prefilter window cannot hold a match of pattern `index` that would be kept: it
    /// lacks the required byte (checked unless the caller knows the window holds it), is too
    /// short to validate, or holds none of the required strings or of the required class, or
    /// (all ASCII, `asciiContext`) none of the strings required in any case.
    @inline(__always)
    private func cannotHoldMatch(_ engine: EngineTables, _ index: Int, _ p: UnsafePointer<UInt8>, count: Int,
                                 _ window: Range<Int>, checkRequired: Bool, asciiContext: Bool) -> Bool {
        (checkRequired && lacksRequiredByte(engine, index, p, window))
            || tooShortToValidate(engine, index, p, count: count, window)
            || lacksRequiredLiteral(engine, index, p, window) || lacksRequiredClass(engine, index, p, window)
            || (asciiContext && lacksCaselessLiteral(engine, index, p, window))
            || (asciiContext && lacksDigitGroups(engine, index, p, window))
            || lacksRunStart(engine, index, p, window)
    }

    /// Whether `window` holds no place where a match of pattern `index` may start by its
    /// ``PrefilterDefinition/runStart`` (false when it has none): after a byte outside its span,
    /// one of its prefixes.
    @inline(__always)
    private func lacksRunStart(_ engine: EngineTables, _ index: Int, _ p: UnsafePointer<UInt8>,
                               _ window: Range<Int>) -> Bool {
        guard let claim = engine.runStart[index] else { return false }
        return CPIIScan_hasRunStart(p, window.lowerBound, window.upperBound, claim) == 0
    }

    /// Whether `window` holds none of pattern `index`'s ``PrefilterDefinition/digitGroups``
    /// (false when it has none). For all-ASCII windows only: `\d` of a Unicode pattern also
    /// matches other scripts' digits.
    @inline(__always)
    private func lacksDigitGroups(_ engine: EngineTables, _ index: Int, _ p: UnsafePointer<UInt8>,
                                  _ window: Range<Int>) -> Bool {
        guard let groups = engine.digitGroups[index] else { return false }
        return CPIIScan_hasDigitGroups(p + window.lowerBound, window.count, groups) == 0
    }

    /// Whether `window` holds none of pattern `index`'s ``PrefilterDefinition/requiresCaseless``
    /// strings in any ASCII case (false when it has none). For all-ASCII windows only: Unicode
    /// case folding matches other characters (`ſ` for `s`).
    @inline(__always)
    private func lacksCaselessLiteral(_ engine: EngineTables, _ index: Int, _ p: UnsafePointer<UInt8>,
                                      _ window: Range<Int>) -> Bool {
        let masks = engine.caselessMasks[index]
        guard let m = masks.baseAddress, !masks.isEmpty else { return false }
        return !CaselessLiterals.holdsAny(p, window, masks: m, literals: engine.caselessLiterals[index])
    }

    /// Whether `window` holds fewer bytes of pattern `index`'s ``PrefilterDefinition/requiresClass``
    /// than its ``PrefilterDefinition/requiresClassCount`` (false when it has no class).
    @inline(__always)
    private func lacksRequiredClass(_ engine: EngineTables, _ index: Int, _ p: UnsafePointer<UInt8>,
                                    _ window: Range<Int>) -> Bool {
        let table = engine.requiredClass[index]
        guard let t = table.baseAddress, !table.isEmpty else { return false }
        return CPIIScan_holdsClass(p + window.lowerBound, window.count, t, engine.requiredClassCount[index]) == 0
    }

    /// Whether `window` holds none of the strings of pattern `index`'s
    /// ``PrefilterDefinition/requires`` (false when it has none).
    @inline(__always)
    private func lacksRequiredLiteral(_ engine: EngineTables, _ index: Int, _ p: UnsafePointer<UInt8>,
                                      _ window: Range<Int>) -> Bool {
        let literals = engine.requiredLiterals[index]
        guard !literals.isEmpty else { return false }
        for literal in literals
        where CPIIScan_containsLiteral(p + window.lowerBound, window.count, literal.baseAddress!, literal.count) != 0 {
            return false
        }
        return true
    }

    /// Whether `window` lacks a byte every match of pattern `index` holds
    /// (``CompiledPattern/requiredByte``): then it cannot hold a match, since the prefilter's
    /// contract puts whole matches inside windows.
    @inline(__always)
    private func lacksRequiredByte(_ engine: EngineTables, _ index: Int, _ p: UnsafePointer<UInt8>,
                                   _ window: Range<Int>) -> Bool {
        let required = engine.requiredByte[index]
        return required >= 0 && memchr(p + window.lowerBound, required, window.count) == nil
    }

    /// Whether `window` is shorter than every match pattern `index`'s validator accepts
    /// (``PrefilterDefinition/validLength``) and lacks the byte that would excuse that, and does
    /// not stand alone with the length the pattern claims in ``PrefilterDefinition/validLengthUnlessAlone``;
    /// then no match in it would be kept. (A window is a run of span bytes, and separators are in
    /// no span: a match standing alone is its whole window.) Prefilter windows only: with the
    /// prefilter off, every start is searched.
    @inline(__always)
    private func tooShortToValidate(_ engine: EngineTables, _ index: Int, _ p: UnsafePointer<UInt8>, count: Int,
                                    _ window: Range<Int>) -> Bool {
        let length = engine.validLength[index]
        guard window.count < length else { return false }
        let unless = engine.validLengthUnless[index]
        if unless >= 0 && memchr(p + window.lowerBound, unless, window.count) != nil { return false }
        return !(window.count >= engine.validLengthUnlessAlone[index] && engine.standsAlone(window, p, count: count))
    }

    /// Runs the patterns of `group` inside one window; returns how far matches reached.
    @inline(__always)
    private func searchWindow<T: SearchTiming>(_ group: GroupPlan, engine: EngineTables, window: Range<Int>, triggers: Int,
                              asciiContext: Bool, text: UnsafeRawBufferPointer, candidates: inout [[Span]], scratch: inout MatchScratch,
                              searches: UnsafeMutableBufferPointer<Int>, timing: T.Type) throws(PCRE2Error) -> Int
    {
        var furthest = window.upperBound
        // A window with ASCII context cannot hold a match that needs a non-ASCII character (the
        // prefilter-off reference searches it all the same). Decided once per window: a check per
        // pattern and window cost 1 % of dense text's instructions.
        let skipNonASCIIOnly = asciiContext && group.requiresNonASCII && prefilterEnabled
        for index in group.patterns {
            if passesOver(window, of: index, engine: engine, triggers: triggers, asciiContext: asciiContext,
                          skipNonASCIIOnly: skipNonASCIIOnly, text: text) {
                continue
            }
            let at = try windowMatches(of: index, engine: engine, asciiContext: asciiContext, window: window,
                                       startLimit: window.upperBound - engine.minLength[index], text: text,
                                       into: &candidates[index], scratch: &scratch, searches: searches, timing: timing)
            furthest = max(furthest, at)
        }
        return furthest
    }

    /// Whether pattern `index` need not search a window of its group (`triggers` trigger
    /// characters; `skipNonASCIIOnly`: the window has ASCII context and the prefilter is on): too
    /// few triggers, a pattern that needs a non-ASCII character, or a claim the window fails.
    @inline(__always)
    private func passesOver(_ window: Range<Int>, of index: Int, engine: EngineTables, triggers: Int, asciiContext: Bool,
                            skipNonASCIIOnly: Bool, text: UnsafeRawBufferPointer) -> Bool {
        if triggers < engine.minTriggers[index] { return true }
        if skipNonASCIIOnly && engine.requiresNonASCII[index] { return true }
        // The PCRE2-only window (the whole text, prefilter off) is searched as it is.
        guard triggers != Int.max, let base = text.baseAddress else { return false }
        return cannotHoldMatch(engine, index, base.assumingMemoryBound(to: UInt8.self), count: text.count, window,
                               checkRequired: true, asciiContext: asciiContext)
    }

    /// Merges the candidate lists of a multi-pattern stage into accepted spans.
    ///
    /// Candidates are merged by start (each list is already sorted and non-overlapping; equal
    /// starts in stage order), grouped into clusters of overlapping spans, and each cluster is
    /// resolved greedily by (priority, longest, leftmost). O(n·k) for k patterns plus
    /// O(m log m) per cluster of size m.
    ///
    /// ## Performance
    /// One pass, merging and clustering together: the next start of each list is kept in a
    /// flat `heads` buffer (choosing the next span reads k integers), and a cluster of one span
    /// (most of them: an email, a lone number) goes straight to `spans` without the cluster
    /// buffer. (Merging into an array first and clearing the cluster buffer per cluster cost
    /// ~500 instructions per candidate on the OTLP body.)
    private func resolve(stage: UnsafeBufferPointer<Int>, candidates: [[Span]], text: UnsafeRawBufferPointer,
                         state: ScrubState, into spans: inout [Span]) {
        var heads: [Int] = []
        swap(&heads, &state.heads)
        defer { swap(&heads, &state.heads) }
        // Only the patterns with candidates (a few of the default set's thirty), in stage order
        // (ties go to the first), as triples: pattern index, position of its next candidate,
        // that candidate's start (Int.max when the list is done).
        heads.removeAll(keepingCapacity: true)
        for index in stage where !candidates[index].isEmpty {
            heads.append(index)
            heads.append(0)
            heads.append(candidates[index][0].start)
        }
        var cluster: [Span] = []
        swap(&cluster, &state.cluster)
        defer { swap(&cluster, &state.cluster) }
        if !cluster.isEmpty { cluster.removeAll(keepingCapacity: true) }
        var dropped: [Span] = []
        swap(&dropped, &state.dropped)
        defer { swap(&dropped, &state.dropped) }
        // The current cluster while it holds one span; `cluster` holds it once a second overlaps.
        var single = Span(start: 0, end: 0, pattern: 0)
        var hasSingle = false
        var clusterEnd = Int.min
        heads.withUnsafeMutableBufferPointer { heads in
            let k = heads.count
            while true {
                var best = -1
                var bestStart = Int.max
                var j = 0
                while j < k {
                    if heads[j + 2] < bestStart {
                        best = j
                        bestStart = heads[j + 2]
                    }
                    j += 3
                }
                if best < 0 { break }
                let list = heads[best]
                let next = heads[best + 1] + 1
                let span = candidates[list][next - 1]
                heads[best + 1] = next
                heads[best + 2] = next < candidates[list].count ? candidates[list][next].start : Int.max
                if span.start >= clusterEnd {
                    if hasSingle {
                        spans.append(single)
                    } else if !cluster.isEmpty {
                        flush(&cluster, dropped: &dropped, remainders: &state.remainders, text: text, into: &spans)
                    }
                    single = span
                    hasSingle = true
                } else {
                    if hasSingle {
                        cluster.append(single)
                        hasSingle = false
                    }
                    cluster.append(span)
                }
                clusterEnd = max(clusterEnd, span.end)
            }
        }
        if hasSingle {
            spans.append(single)
        } else {
            flush(&cluster, dropped: &dropped, remainders: &state.remainders, text: text, into: &spans)
        }
    }

    /// Searches `piece` (a part of a remainder between `spans[next - 1]` and `spans[next]`) for
    /// `pattern` in the view a second pass would have (see
    /// ``searchRemainders(engine:text:state:spans:scratch:searches:timed:)``); appends the
    /// matches inside it to `found`, in text offsets.
    @inline(__always)
    private func searchRemainderPiece<T: SearchTiming>(_ piece: Range<Int>, of pattern: Int, between next: Int, _ spans: [Span],
                                                       engine: EngineTables, text: UnsafeRawBufferPointer, view: inout [UInt8],
                                                       into found: inout [Span], scratch: inout MatchScratch,
                                                       searches: UnsafeMutableBufferPointer<Int>, timing: T.Type) throws(PCRE2Error)
    {
        let length = piece.count
        guard length >= engine.minLength[pattern], Self.holdsWordByte(text, piece) else { return }
        let context = 64
        view.removeAll(keepingCapacity: true)
        var leftFrom = max(0, piece.lowerBound - context)
        if next > 0 && spans[next - 1].end >= leftFrom {
            leftFrom = spans[next - 1].end
            view.append(contentsOf: engine.tokens[spans[next - 1].pattern])
        }
        view.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[leftFrom..<piece.lowerBound]))
        let offset = view.count
        var rightTo = min(text.count, piece.upperBound + context)
        if next < spans.count && spans[next].start <= rightTo { rightTo = spans[next].start }
        view.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[piece.lowerBound..<rightTo]))
        if next < spans.count && spans[next].start == rightTo {
            view.append(contentsOf: engine.tokens[spans[next].pattern])
        }
        let listed = found.count
        let startLimit = offset + length - engine.minLength[pattern]
        // `Array.withUnsafeBytes` rethrows untyped errors: the typed one goes through a `Result`.
        let result: Result<Int, PCRE2Error> = view.withUnsafeBytes { v in
            do throws(PCRE2Error) {
                return .success(try matches(of: pattern, engine: engine, asciiContext: false,
                                            window: offset..<offset + length, startLimit: startLimit, text: v,
                                            into: &found, scratch: &scratch, searches: searches, timing: timing))
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let error) = result { throw error }
        // Back to text offsets; a match running out of the piece would overlap a span.
        var kept = listed
        for i in listed..<found.count where found[i].end <= offset + length {
            found[kept] = Span(start: piece.lowerBound + found[i].start - offset,
                               end: piece.lowerBound + found[i].end - offset, pattern: found[i].pattern)
            kept += 1
        }
        found.removeSubrange(kept...)
    }

    /// Keeps the spans of one cluster of overlapping candidates that win by (priority, length,
    /// start, pattern), in start order, and the remainders of the others. Small clusters (the
    /// usual two or three phone and card readings of one number) are sorted in place by
    /// insertion, which allocates nothing, unlike `sort`'s scratch buffer (10,000 allocations per
    /// MiB of the dense corpus with the default set); larger ones take `sort`. The kept spans are
    /// gathered at the front of the cluster buffer itself (each is written at or before the
    /// position it is read from), not in a second array that had to be cleared and copied per
    /// cluster.
    ///
    /// What neither the kept spans nor a better loser's remainder cover of a losing candidate,
    /// where it holds a letter, a digit or a non-ASCII byte, goes to `remainders`, to be searched
    /// again for its pattern (``searchRemainders(engine:text:state:spans:scratch:searches:timed:)``).
    @inline(__always)
    private func flush(_ cluster: inout [Span], dropped: inout [Span], remainders: inout [Span],
                       text: UnsafeRawBufferPointer, into spans: inout [Span]) {
        if cluster.count == 1 {
            spans.append(cluster[0])
        } else if cluster.count > 1 {
            let priority = patternSet.engine.priority
            func wins(_ a: Span, _ b: Span) -> Bool {
                let pa = priority[a.pattern]
                let pb = priority[b.pattern]
                if pa != pb { return pa < pb }
                if a.end - a.start != b.end - b.start { return a.end - a.start > b.end - b.start }
                return (a.start, a.pattern) < (b.start, b.pattern)
            }
            Self.sortSmall(&cluster, by: wins)
            if !dropped.isEmpty { dropped.removeAll(keepingCapacity: true) }
            var kept = 0
            cluster.withUnsafeMutableBufferPointer { buffer in
                // Greedy, in winning order: keep each candidate that overlaps none kept before it.
                for i in 0..<buffer.count {
                    let candidate = buffer[i]
                    var overlaps = false
                    for j in 0..<kept where buffer[j].start < candidate.end && candidate.start < buffer[j].end {
                        overlaps = true
                        break
                    }
                    if !overlaps {
                        buffer[kept] = candidate
                        kept += 1
                    } else {
                        dropped.append(candidate)
                    }
                }
                // Kept spans do not overlap, so their starts differ: any sort by start agrees.
                Self.sortByStart(UnsafeMutableBufferPointer(rebasing: buffer[..<kept]))
            }
            cluster.removeSubrange(kept...)
            for span in cluster { spans.append(span) }
            // The losers' remainders, in winning order, each cut from the gaps the kept spans and
            // the remainders before it leave (`cluster` stays sorted by start, without overlaps).
            for loser in dropped {
                let covering = cluster.count
                var at = loser.start
                var j = 0
                while at < loser.end {
                    while j < covering && cluster[j].end <= at { j += 1 }
                    if j < covering && cluster[j].start <= at {
                        at = cluster[j].end
                        continue
                    }
                    let gapEnd = j < covering ? min(cluster[j].start, loser.end) : loser.end
                    if Self.holdsWordByte(text, at..<gapEnd) {
                        cluster.append(Span(start: at, end: gapEnd, pattern: loser.pattern))
                        remainders.append(Span(start: at, end: gapEnd, pattern: loser.pattern))
                    }
                    at = gapEnd
                }
                if cluster.count > covering {
                    cluster.withUnsafeMutableBufferPointer { Self.sortByStart($0) }
                }
            }
        }
        cluster.removeAll(keepingCapacity: true)
    }

    /// Sorts spans that do not overlap (so their starts differ) by start: insertion up to 16,
    /// `sort` beyond.
    @inline(__always)
    static func sortByStart(_ spans: UnsafeMutableBufferPointer<Span>) {
        var spans = spans
        guard spans.count <= 16 else {
            spans.sort { $0.start < $1.start }
            return
        }
        for i in 1..<max(1, spans.count) {
            let value = spans[i]
            var j = i
            while j > 0 && value.start < spans[j - 1].start {
                spans[j] = spans[j - 1]
                j -= 1
            }
            spans[j] = value
        }
    }

    /// Whether `text[range]` holds an ASCII letter or digit or a non-ASCII byte: a remainder of
    /// only ASCII spaces and punctuation is no piece of a value.
    @inline(__always)
    static func holdsWordByte(_ text: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        for i in range {
            let byte = text[i]
            if byte >= 0x80 || byte &- 0x30 < 10 || (byte | 0x20) &- 0x61 < 26 { return true }
        }
        return false
    }

    /// Insertion sort up to 16 elements (no allocation), `sort` beyond. The orders used here are
    /// total, so both give the same result.
    @inline(__always)
    static func sortSmall(_ spans: inout [Span], by less: (Span, Span) -> Bool) {
        guard spans.count <= 16 else {
            spans.sort(by: less)
            return
        }
        spans.withUnsafeMutableBufferPointer { buffer in
            for i in 1..<max(1, buffer.count) {
                let value = buffer[i]
                var j = i
                while j > 0 && less(value, buffer[j - 1]) {
                    buffer[j] = buffer[j - 1]
                    j -= 1
                }
                buffer[j] = value
            }
        }
    }

    /// The output of a gathered run (``run(_:_:gatheringUpTo:)``, `text` its result) to `piece`,
    /// in order: the stretches of `text` between the last stage's spans and their tokens (empty
    /// ones left out).
    func forEachPiece(of text: UnsafeRawBufferPointer, _ state: ScrubState,
                      _ piece: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try Self.forEachPiece(of: text, spans: state.stageSpans[state.stageSpans.count - 1],
                              tokens: patternSet.engine.tokens, piece)
    }

    /// `text` with each of `spans` replaced by its pattern's token, to `piece` in order: the
    /// stretches between the spans and the tokens (empty ones left out). What ``write(_:spans:tokens:to:)``
    /// copies and a gathered run hands out.
    @inline(__always)
    private static func forEachPiece(of text: UnsafeRawBufferPointer, spans: [Span],
                                     tokens: UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>,
                                     _ piece: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var copied = 0
        for span in spans {
            if span.start > copied { try piece(UnsafeRawBufferPointer(rebasing: text[copied..<span.start])) }
            let token = tokens[span.pattern]
            if !token.isEmpty { try piece(UnsafeRawBufferPointer(token)) }
            copied = span.end
        }
        if text.count > copied { try piece(UnsafeRawBufferPointer(rebasing: text[copied...])) }
    }

    /// Writes `text` with each span replaced by its pattern's token into `out`.
    @inline(__always)
    private func write(_ text: UnsafeRawBufferPointer, spans: [Span], tokens replacements: UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>,
                       to out: ByteBuffer) {
        var length = text.count
        for span in spans { length += replacements[span.pattern].count - (span.end - span.start) }
        out.reserveDiscarding(length)
        let dst = UnsafeMutableRawPointer(out.base)
        var written = 0
        Self.forEachPiece(of: text, spans: spans, tokens: replacements) { piece in
            (dst + written).copyMemory(from: piece.baseAddress!, byteCount: piece.count)
            written += piece.count
        }
        out.count = written
    }

    /// Like ``write(_:spans:to:)`` for operators whose replacement depends on the value.
    private func writeWithOperators(_ text: UnsafeRawBufferPointer, spans: [Span], state: ScrubState, stage: Int,
                                    to out: ByteBuffer) {
        state.stageTokenLengths[stage].removeAll(keepingCapacity: true)
        var token: [UInt8] = []
        swap(&token, &state.tokenScratch)
        defer { swap(&token, &state.tokenScratch) }
        out.count = 0
        var copied = 0
        for span in spans {
            if span.start > copied {
                out.append(UnsafeRawBufferPointer(rebasing: text[copied..<span.start]))
            }
            token.removeAll(keepingCapacity: true)
            appendReplacement(pattern: span.pattern, value: UnsafeRawBufferPointer(rebasing: text[span.start..<span.end]),
                              state: state, to: &token)
            token.withUnsafeBytes { out.append($0) }
            state.stageTokenLengths[stage].append(token.count)
            copied = span.end
        }
        if text.count > copied { out.append(UnsafeRawBufferPointer(rebasing: text[copied...])) }
    }

    /// The offset of the character after the one starting at `i` (UTF-8 aware; one byte for an
    /// invalid sequence), so a rejected candidate is retried from the next character.
    @inline(__always)
    private func nextCharacter(after i: Int, in text: UnsafeRawBufferPointer) -> Int {
        var j = i + 1
        while j < text.count && text[j] & 0xC0 == 0x80 && j - i < 4 { j += 1 }
        return j
    }

    /// Maps the last run's spans back to input coordinates.
    func collectFindings(_ state: ScrubState) -> [Finding] {
        var findings: [Finding] = []
        forEachLastMatch(state) { pattern, range in
            findings.append(Finding(patternID: patternSet.patterns[pattern].id, range: range))
        }
        findings.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        return findings
    }

    /// The input offsets where the last run's matches start, ascending, into `starts` (cleared
    /// first): what ``collectFindings(_:)`` gives without building a ``Finding`` per match.
    func collectMatchStarts(_ state: ScrubState, into starts: inout [Int]) {
        starts.removeAll(keepingCapacity: true)
        var sorted = true
        forEachLastMatch(state) { _, range in
            if let last = starts.last, last > range.lowerBound { sorted = false }
            starts.append(range.lowerBound)
        }
        // One stage's matches come in order; several stages' need merging.
        if !sorted { starts.sort() }
    }

    /// Calls `body` with each match of the last run: its pattern index and input byte range.
    ///
    /// Linear in the number of matches: a stage's spans are visited in order, and the offsets
    /// mapped back through an earlier stage only grow (lower and upper bounds each), so each
    /// earlier stage is walked once per bound kind with a ``MapCursor``. (Searching every earlier
    /// span per match took 4.8 s for one 1.6 MB JSON line with 80,000 matches.) The stage arrays
    /// are read through local copies and the cursors live on the stack: per-access retains and a
    /// cursor array per call cost 1,800 instructions per `jsonl` document.
    @inline(__always)
    private func forEachLastMatch(_ state: ScrubState, _ body: (Int, Range<Int>) -> Void) {
        guard !state.lastFailed else { return }
        let stageCount = state.lastStagesRun
        guard stageCount > 0 else { return }
        let allSpans = state.stageSpans
        let allLengths = state.stageTokenLengths
        withUnsafeTemporaryAllocation(of: MapCursor.self, capacity: 2 * stageCount) { cursors in
            for s in 0..<stageCount {
                let spans = allSpans[s]
                guard !spans.isEmpty else { continue }
                for k in 0..<(2 * s) { cursors[k] = MapCursor() }
                for span in spans {
                    var lower = span.start
                    var upper = span.end
                    var k = s - 1
                    while k >= 0 {
                        if !allSpans[k].isEmpty {
                            lower = mapBack(lower, through: allSpans[k], lengths: allLengths[k], isUpper: false,
                                            cursor: &cursors[2 * k])
                            upper = mapBack(upper, through: allSpans[k], lengths: allLengths[k], isUpper: true,
                                            cursor: &cursors[2 * k + 1])
                        }
                        k -= 1
                    }
                    body(span.pattern, lower..<upper)
                }
            }
        }
    }

    /// How far ``mapBack(_:through:lengths:isUpper:cursor:)`` has walked one stage's spans: the
    /// spans before `index` end before every offset still to be mapped; `delta` is their growth.
    struct MapCursor {
        var index = 0
        var delta = 0
    }

    /// Maps an offset in a stage's output back to its input, given that stage's spans. Offsets
    /// given with one `cursor` must not decrease; the cursor moves past spans that end strictly
    /// before `x`, which every later offset passes the same way.
    private func mapBack(_ x: Int, through spans: [Span], lengths: [Int], isUpper: Bool,
                         cursor: inout MapCursor) -> Int {
        var delta = cursor.delta
        var i = cursor.index
        var advancing = true
        let dynamic = lengths.count == spans.count
        while i < spans.count {
            let span = spans[i]
            let tokenLength = dynamic ? lengths[i] : patternSet.replacementByIndex[span.pattern].count
            let outStart = span.start + delta
            let outEnd = outStart + tokenLength
            if x < outStart || (x == outStart && !isUpper) { break }
            if x < outEnd || (x == outEnd && isUpper) {
                return isUpper ? span.end : span.start
            }
            delta += tokenLength - (span.end - span.start)
            i += 1
            if advancing && x > outEnd {
                cursor.index = i
                cursor.delta = delta
            } else {
                advancing = false
            }
        }
        return x - delta
    }
}

/// A redacted match: which pattern, and where in the input (UTF-8 byte offsets). Never the value.
public struct Finding: Sendable, Hashable, CustomStringConvertible {
    public var patternID: String
    public var range: Range<Int>

    public init(patternID: String, range: Range<Int>) {
        self.patternID = patternID
        self.range = range
    }

    public var description: String { "\(patternID)@\(range.lowerBound)..<\(range.upperBound)" }
}

/// What one scrub call did.
public struct ScrubOutcome: Sendable, Hashable {
    /// The output differs from the input.
    public var changed: Bool
    /// The payload could not be scrubbed and was replaced by the failure marker.
    public var failed: Bool
}

/// ``Scrubber/mayMatch(_:)`` without the scrubber: a pointer to the set's trigger-byte table, or
/// nil (everything may match), and a reference to the tables that own it.
// SAFETY: `table` points into `owner`'s immutable buffers, which live as long as `owner` does,
// and this value holds `owner`.
public struct TriggerFilter: @unchecked Sendable {
    private let owner: AnyObject?
    /// 256 entries, nonzero for a byte some pattern needs; `nil` when every text may match (the
    /// prefilter is off). Valid while this filter lives.
    public let table: UnsafePointer<UInt8>?
    /// The table's ASCII part as 16 nibble entries (bit h of entry l: byte h·16 + l), for vector
    /// scans; non-nil exactly when ``table`` is.
    public let nibbles: UnsafePointer<UInt8>?
    /// Per byte (256 entries), bit g: the byte may start a trigger of scan group g. With
    /// ``fitting``; `nil` exactly when ``table`` is.
    public let groups: UnsafePointer<UInt64>?
    /// Text shorter than ``fittingCount`` bytes needs a trigger of one of the groups
    /// `fitting[count]`, those whose shortest match fits in it; longer text, any trigger.
    public let fitting: UnsafePointer<UInt64>?
    public let fittingCount: Int

    init(owner: AnyObject?, table: UnsafePointer<UInt8>?, nibbles: UnsafePointer<UInt8>?,
         groups: UnsafeBufferPointer<UInt64>?, fitting: UnsafeBufferPointer<UInt64>?) {
        self.owner = owner
        self.table = table
        self.nibbles = table == nil ? nil : nibbles
        self.groups = table == nil ? nil : groups?.baseAddress
        self.fitting = table == nil ? nil : fitting?.baseAddress
        self.fittingCount = table == nil ? 0 : fitting?.count ?? 0
    }

    @inlinable @inline(__always)
    public func mayMatch(_ text: UnsafeRawBufferPointer) -> Bool {
        guard let table else { return true }
        if text.count < fittingCount, let groups, let fitting {
            let fit = fitting[text.count]
            if fit == 0 { return false }
            // Keys and short strings: four bytes' groups ORed per test.
            var i = 0
            let n = text.count
            while i + 4 <= n {
                let any = groups[Int(text[i])] | groups[Int(text[i + 1])] | groups[Int(text[i + 2])] | groups[Int(text[i + 3])]
                if any & fit != 0 { return true }
                i += 4
            }
            while i < n {
                if groups[Int(text[i])] & fit != 0 { return true }
                i += 1
            }
            return false
        }
        for b in text where table[Int(b)] != 0 { return true }
        return false
    }
}

/// Whether the engine times its PCRE2 searches and validator calls (the search profile,
/// ``ScrubWorker/enableSearchProfile()``): a type, so the hot loop is specialised once without
/// timing code (the default) and once with it. A flag read per search cost 0.7 % of dense text's
/// instructions with the profile off.
protocol SearchTiming { static var isOn: Bool { get } }
enum Untimed: SearchTiming { static var isOn: Bool { false } }
enum Timed: SearchTiming { static var isOn: Bool { true } }
