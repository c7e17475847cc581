#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import PCRE2Wrapper

/// Scrubs UTF-8 text with a ``PatternSet``: every match is replaced by its pattern's token.
///
/// Semantics: stages run in order, each over the previous stage's output. Within a stage, each
/// pattern finds its leftmost-first, non-overlapping matches over the stage's text; overlaps
/// between patterns are resolved by priority (lower wins), then length (longer wins), then
/// position. For the `seed` set this reproduces the seed's three sequential `re.sub` calls.
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
    public struct Configuration: Sendable, Hashable {
        /// Run JIT-compiled code where available (false: PCRE2 interpreter).
        public var jit: Bool = true
        /// Use the literal prefilters (false: PCRE2 searches every byte).
        public var prefilter: Bool = true
        /// PCRE2 match limits and JIT stack size.
        public var limits: MatchLimits = .init()
        /// What replaces a payload that could not be scrubbed.
        public var failureMarker: String = "[REDACTED:SCRUB-ERROR]"

        public init(jit: Bool = true, prefilter: Bool = true, limits: MatchLimits = .init(),
                    failureMarker: String = "[REDACTED:SCRUB-ERROR]") {
            self.jit = jit
            self.prefilter = prefilter
            self.limits = limits
            self.failureMarker = failureMarker
        }
    }

    public let patternSet: PatternSet
    public let configuration: Configuration
    let failureMarker: [UInt8]
    private let pool = StatePool()

    public init(patternSet: PatternSet, configuration: Configuration = .init()) {
        self.patternSet = patternSet
        self.configuration = configuration
        self.failureMarker = Array(configuration.failureMarker.utf8)
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

    /// The matches in `text` as pattern ids and byte ranges of `text`'s UTF-8 (no values).
    public func findings(in text: String) -> [Finding] {
        withPooledState { state in
            var copy = text
            return copy.withUTF8 { buffer in
                _ = run(UnsafeRawBufferPointer(buffer), state)
                return collectFindings(state, inputCount: buffer.count)
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
        var text = input
        var changed = false
        var useA = true
        state.lastFailed = false
        let stages = patternSet.stages
        for s in 0..<stages.count {
            var spans: [Span] = []
            swap(&spans, &state.stageSpans[s])
            spans.removeAll(keepingCapacity: true)
            do {
                try collect(stage: stages[s], text: text, state: state, into: &spans)
            } catch {
                swap(&spans, &state.stageSpans[s])
                for k in 0..<stages.count { state.stageSpans[k].removeAll(keepingCapacity: true) }
                state.failures += 1
                state.lastFailed = true
                state.lastStagesRun = 0
                return .failed
            }
            if !spans.isEmpty {
                let out = useA ? state.bufferA : state.bufferB
                useA.toggle()
                write(text, spans: spans, to: out)
                for span in spans { state.counts[span.pattern] &+= 1 }
                text = out.bytes
                changed = true
            }
            swap(&spans, &state.stageSpans[s])
        }
        state.lastStagesRun = stages.count
        return changed ? .changed(text) : .unchanged
    }

    /// Finds the accepted spans of one stage, sorted by start, non-overlapping.
    @inline(__always)
    private func collect(stage: [Int], text: UnsafeRawBufferPointer, state: ScrubState, into spans: inout [Span])
        throws(PCRE2Error)
    {
        if stage.count == 1 {
            try search(patternSet.patterns[stage[0]], text: text, state: state, into: &spans)
            return
        }
        var anyCandidates = false
        for index in stage {
            var list: [Span] = []
            swap(&list, &state.candidates[index])
            list.removeAll(keepingCapacity: true)
            do {
                try search(patternSet.patterns[index], text: text, state: state, into: &list)
            } catch {
                swap(&list, &state.candidates[index])
                throw error
            }
            anyCandidates = anyCandidates || !list.isEmpty
            swap(&list, &state.candidates[index])
        }
        if anyCandidates { resolve(stage: stage, state: state, into: &spans) }
    }

    /// One pattern's leftmost-first, non-overlapping matches over `text`, appended in order.
    @inline(__always)
    private func search(_ pattern: Pattern, text: UnsafeRawBufferPointer, state: ScrubState, into spans: inout [Span])
        throws(PCRE2Error)
    {
        let n = text.count
        let minLength = pattern.compiled.minLength
        guard n >= minLength else { return }
        let compiled = pattern.compiled
        var calls = 0
        defer { state.searches[pattern.index] &+= calls }
        guard configuration.prefilter, let prefilter = pattern.prefilter, let base = text.baseAddress else {
            var at = 0
            while at <= n - minLength {
                calls += 1
                guard let m = try compiled.firstMatch(in: text, from: at, startLimit: n - minLength,
                                                      scratch: &state.match)
                else { break }
                spans.append(Span(start: m.lowerBound, end: m.upperBound, pattern: pattern.index))
                at = m.upperBound
            }
            return
        }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var position = 0
        while let window = prefilter.nextWindow(p, from: &position, count: n) {
            let limit = window.upperBound - minLength
            var at = window.lowerBound
            while at <= limit {
                calls += 1
                guard let m = try compiled.firstMatch(in: text, from: at, startLimit: limit, scratch: &state.match)
                else { break }
                spans.append(Span(start: m.lowerBound, end: m.upperBound, pattern: pattern.index))
                at = m.upperBound
            }
            // A match can only end past the window if the prefilter's span claim is wrong; never
            // search inside a region already matched.
            if at > position { position = at }
        }
    }

    /// Merges the candidate lists of a multi-pattern stage into accepted spans.
    ///
    /// Candidates are merged by start (each list is already sorted and non-overlapping), grouped
    /// into clusters of overlapping spans, and each cluster is resolved greedily by (priority,
    /// longest, leftmost). O(n·k) for k patterns plus O(m log m) per cluster of size m.
    private func resolve(stage: [Int], state: ScrubState, into spans: inout [Span]) {
        var merged: [Span] = []
        swap(&merged, &state.merged)
        merged.removeAll(keepingCapacity: true)
        var heads = [Int](repeating: 0, count: stage.count)
        while true {
            var best = -1
            var bestSpan = Span(start: Int.max, end: 0, pattern: 0)
            for (slot, index) in stage.enumerated() {
                let list = state.candidates[index]
                let head = heads[slot]
                if head < list.count {
                    let candidate = list[head]
                    if candidate.start < bestSpan.start {
                        best = slot
                        bestSpan = candidate
                    }
                }
            }
            if best < 0 { break }
            heads[best] += 1
            merged.append(bestSpan)
        }
        var cluster: [Span] = []
        swap(&cluster, &state.cluster)
        cluster.removeAll(keepingCapacity: true)
        var clusterEnd = Int.min
        for span in merged {
            if span.start >= clusterEnd && !cluster.isEmpty {
                flush(&cluster, into: &spans)
            }
            cluster.append(span)
            clusterEnd = max(clusterEnd, span.end)
        }
        flush(&cluster, into: &spans)
        swap(&cluster, &state.cluster)
        swap(&merged, &state.merged)
    }

    private func flush(_ cluster: inout [Span], into spans: inout [Span]) {
        if cluster.count == 1 {
            spans.append(cluster[0])
        } else if cluster.count > 1 {
            let patterns = patternSet.patterns
            cluster.sort { a, b in
                let pa = patterns[a.pattern].priority
                let pb = patterns[b.pattern].priority
                if pa != pb { return pa < pb }
                if a.end - a.start != b.end - b.start { return a.end - a.start > b.end - b.start }
                return (a.start, a.pattern) < (b.start, b.pattern)
            }
            var accepted: [Span] = []
            for candidate in cluster
            where !accepted.contains(where: { $0.start < candidate.end && candidate.start < $0.end }) {
                accepted.append(candidate)
            }
            accepted.sort { $0.start < $1.start }
            spans.append(contentsOf: accepted)
        }
        cluster.removeAll(keepingCapacity: true)
    }

    /// Writes `text` with each span replaced by its pattern's token into `out`.
    @inline(__always)
    private func write(_ text: UnsafeRawBufferPointer, spans: [Span], to out: ByteBuffer) {
        let patterns = patternSet.patterns
        var length = text.count
        for span in spans { length += patterns[span.pattern].replacement.count - (span.end - span.start) }
        out.reserveDiscarding(length)
        let dst = out.base
        var written = 0
        var copied = 0
        let src = text.baseAddress?.assumingMemoryBound(to: UInt8.self)
        for span in spans {
            if span.start > copied, let src {
                (dst + written).update(from: src + copied, count: span.start - copied)
                written += span.start - copied
            }
            patterns[span.pattern].replacement.withUnsafeBufferPointer { token in
                if let t = token.baseAddress, token.count > 0 {
                    (dst + written).update(from: t, count: token.count)
                }
            }
            written += patterns[span.pattern].replacement.count
            copied = span.end
        }
        if text.count > copied, let src {
            (dst + written).update(from: src + copied, count: text.count - copied)
            written += text.count - copied
        }
        out.count = written
    }

    /// Maps the last run's spans back to input coordinates.
    func collectFindings(_ state: ScrubState, inputCount: Int) -> [Finding] {
        guard !state.lastFailed else { return [] }
        var findings: [Finding] = []
        for s in 0..<state.lastStagesRun {
            for span in state.stageSpans[s] {
                var lower = span.start
                var upper = span.end
                var k = s - 1
                while k >= 0 {
                    lower = mapBack(lower, through: state.stageSpans[k], isUpper: false)
                    upper = mapBack(upper, through: state.stageSpans[k], isUpper: true)
                    k -= 1
                }
                findings.append(Finding(patternID: patternSet.patterns[span.pattern].id, range: lower..<upper))
            }
        }
        findings.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        return findings
    }

    /// Maps an offset in a stage's output back to its input, given that stage's spans.
    private func mapBack(_ x: Int, through spans: [Span], isUpper: Bool) -> Int {
        var delta = 0
        for span in spans {
            let tokenLength = patternSet.patterns[span.pattern].replacement.count
            let outStart = span.start + delta
            let outEnd = outStart + tokenLength
            if x < outStart || (x == outStart && !isUpper) { break }
            if x < outEnd || (x == outEnd && isUpper) {
                return isUpper ? span.end : span.start
            }
            delta += tokenLength - (span.end - span.start)
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
